package dev.coba.sidecar.runs;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The bytes the registry may hold in runs ({@code --memory-budget}), and the estimate of what it
 * holds now. A change that would grow past the limit is refused before it is stored
 * ({@link #reserve}); what was acknowledged before is charged whatever it costs ({@link #adjust}:
 * replay at start-up, the curve's unforeseen lines), so the estimate can end up over the limit,
 * and then only changes that free memory go through.
 */
public final class MemoryBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public MemoryBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("memory budget must be positive, got " + limit);
    }
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }

  /** Bytes charged now (an estimate of what the runs hold). */
  public long used() {
    return used.get();
  }

  /** Charges {@code bytes} if they fit; else throws what {@code refusal} makes, charging nothing. */
  void reserve(long bytes, Supplier<MemoryBudgetException> refusal) {
    if (bytes <= 0) {
      used.addAndGet(bytes);
      return;
    }
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        throw refusal.get();
      }
    } while (!used.compareAndSet(now, now + bytes));
  }

  /** Charges (or, negative, releases) {@code bytes} unconditionally. */
  void adjust(long bytes) {
    used.addAndGet(bytes);
  }

  /** Free bytes now (negative when over the limit). */
  long free() {
    return limit - used.get();
  }

  /** The refusal of {@code what}, which would take {@code bytes} more: what it needs, what is free, what to do. */
  MemoryBudgetException refusal(String field, String what, long bytes) {
    return new MemoryBudgetException(
        field,
        what
            + " would take about "
            + human(bytes)
            + " more, and the sidecar's memory budget has "
            + human(Math.max(0, free()))
            + " of "
            + human(limit)
            + " free; nothing was stored. Delete finished runs, or give the sidecar more memory"
            + " (--memory-budget, and the heap)");
  }

  /** A size for a person: bytes, KiB, MiB or GiB, one decimal. */
  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
