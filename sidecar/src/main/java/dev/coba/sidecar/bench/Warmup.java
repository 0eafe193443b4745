package dev.coba.sidecar.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * How long a benchmark phase warms up: at least {@code least}, then on, round by round, until
 * the rounds stop climbing (a plateau: the mean of the last {@link #ROUNDS} rounds within
 * {@link #TOLERANCE} of the mean of the {@link #ROUNDS} before), or {@code most} has passed.
 *
 * <p>Why not a fixed time: on a 2-core machine the JIT's optimising compiler competes with the
 * load for the CPU, and how long it lags varies from run to run (in one profile Jetty's header
 * parser reached C2 only after 28 s; in another, C2 still took a sixth of the server's CPU 36 s
 * in). A fixed 5 s warm-up measured mostly profiled C1 code in one run: 3,500–4,000 reports/s,
 * against 6,800 once warm (tmpfs journal, same build). Why means of rounds: with the journal on disk single 5 s rounds vary by ±15 % once
 * warm (the fsyncs), while the climb being waited out is about 2×.
 */
public record Warmup(long leastMs, long mostMs) {
  /** Rounds in each of the two means compared. */
  public static final int ROUNDS = 3;

  /** How far apart the two means may be, relative to the earlier one. */
  public static final double TOLERANCE = 0.10;

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
    int n = rounds.size();
    if (n < 2 * ROUNDS) {
      return false;
    }
    double earlier = 0;
    double last = 0;
    for (int i = 0; i < ROUNDS; i++) {
      double a = rounds.get(n - 2 * ROUNDS + i);
      double b = rounds.get(n - ROUNDS + i);
      if (!(a > 0) || !(b > 0) || Double.isInfinite(a) || Double.isInfinite(b)) {
        return false; // a round without answers, or a broken figure, is no plateau
      }
      earlier += a;
      last += b;
    }
    return Math.abs(last - earlier) <= TOLERANCE * earlier;
  }

  /** One phase's warm-up as it goes: rounds are recorded, and it says when to stop. */
  public Progress start() {
    return new Progress(System.nanoTime());
  }

  /** The rounds of one warm-up, and whether it may end. */
  public final class Progress {
    private final long startNanos;
    private final List<Double> rounds = new ArrayList<>();

    /** Whether the rounds so far end on a plateau: known when a round is recorded. */
    private boolean steady;

    private Progress(long startNanos) {
      this.startNanos = startNanos;
    }

    /** Records one round's figure (a rate, or a median latency). */
    public void round(double figure) {
      rounds.add(figure);
      steady = plateau(rounds);
    }

    /** Whether the warm-up is over: past the least and on a plateau, or past the most. */
    public boolean done() {
      long elapsed = elapsedMs();
      return elapsed >= mostMs || (elapsed >= leastMs && steady);
    }

    /** Milliseconds since the warm-up began. */
    public long elapsedMs() {
      return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Whether it ended on a plateau (false when it ran out of time first). */
    public boolean steady() {
      return steady;
    }

    public List<Double> rounds() {
      return List.copyOf(rounds);
    }
  }
}
