package dev.coba.sidecar.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How long a benchmark phase warms up: at least {@code least}, then on, round by round, until
 * the last {@link #ROUNDS} rounds agree within {@link #TOLERANCE} (a plateau), or {@code most}
 * has passed.
 *
 * <p>Why not a fixed time: on a 2-core machine under 64 clients the JIT's optimising compiler
 * gets little CPU, and its queue was measured 20 s and more behind the load (methods such as
 * Jetty's header parser reached C2 only after 28 s). A fixed 5 s warm-up measured mostly
 * profiled C1 code: 3,500–4,000 reports/s, against 6,800 once warm (tmpfs journal, same
 * build). A plateau is the sign that the compiler has caught up.
 */
public record Warmup(long leastMs, long mostMs) {
  /** Rounds that must agree. */
  public static final int ROUNDS = 3;

  /** Highest over lowest of those rounds, minus one. */
  public static final double TOLERANCE = 0.03;

  public Warmup {
    if (leastMs < 0 || mostMs < leastMs) {
      throw new IllegalArgumentException(
          "the warm-up needs 0 <= least <= most, got " + leastMs + " and " + mostMs + " ms");
    }
  }

  /** Exactly {@code ms}, plateau or not (what short test runs use). */
  public static Warmup fixed(long ms) {
    return new Warmup(ms, ms);
  }

  /** Whether {@code rounds} (a figure per round, oldest first) end on a plateau. */
  public static boolean plateau(List<Double> rounds) {
    if (rounds.size() < ROUNDS) {
      return false;
    }
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (double r : rounds.subList(rounds.size() - ROUNDS, rounds.size())) {
      if (!(r > 0) || Double.isInfinite(r)) {
        return false;
      }
      low = Math.min(low, r);
      high = Math.max(high, r);
    }
    return high / low - 1 <= TOLERANCE;
  }

  /** One phase's warm-up as it goes: rounds are recorded, and it says when to stop. */
  public Progress start() {
    return new Progress(System.nanoTime());
  }

  /** The rounds of one warm-up, and whether it may end. */
  public final class Progress {
    private final long startNanos;
    private final List<Double> rounds = new ArrayList<>();

    private Progress(long startNanos) {
      this.startNanos = startNanos;
    }

    /** Records one round's figure (a rate, or a median latency). */
    public void round(double figure) {
      rounds.add(figure);
    }

    /** Whether the warm-up is over: past the least and on a plateau, or past the most. */
    public boolean done() {
      long elapsed = elapsedMs();
      return elapsed >= mostMs || (elapsed >= leastMs && plateau(rounds));
    }

    /** Milliseconds since the warm-up began. */
    public long elapsedMs() {
      return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Whether it ended on a plateau (false when it ran out of time first). */
    public boolean steady() {
      return plateau(rounds);
    }

    public List<Double> rounds() {
      return List.copyOf(rounds);
    }
  }
}
