package dev.coba.core.methods;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.math.Softmax;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.List;
import java.util.Map;

/**
 * Random Loss Weighting (Lin, Ye and Zhang, "A closer look at loss weighting in multi-task
 * learning"; docs/coba-spec.md, "Peers"): {@code w = softmax(z)}, a fresh {@code z_i ~ N(0, 1)}
 * per task at every report, whatever the report contains.
 *
 * <p>The noise is counter-based, so the state is one number, the count of reports drawn, and a
 * restored run continues bit-identically. Each task has its own stream, keyed by the seed and
 * the task's name (not its position), so reordering the tasks permutes the weights exactly:
 * <pre>
 *   key_i  = mix(mix(seed) + fnv1a64(name_i))       fnv1a64 over the name's UTF-16 chars
 *   u(j)   = (mix(key_i + j * 0x9E3779B97F4A7C15) >>> 11) * 2^-53     (SplitMix64's j-th output)
 *   z_i(n) = sqrt(-2 ln(1 - u(2n+1))) * cos(2 pi u(2n+2))              (Box-Muller, n = 0, 1, ...)
 * </pre>
 * where {@code mix} is SplitMix64's finaliser. StrictMath keeps the noise the same on every
 * JVM. {@code |z| < 8.6}, so no weight underflows. Per report O(K), memory O(K).
 */
public final class Rlw extends AbstractBalancer {
  static final long GOLDEN = 0x9E3779B97F4A7C15L;
  static final long MAX_SEED = (1L << 53) - 1;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "rlw",
          "Random Loss Weighting: w = softmax(z), z_i ~ N(0, 1) drawn afresh at every report, seeded.",
          List.of(
              ParamSpec.integer(
                  "seed",
                  0,
                  -MAX_SEED,
                  MAX_SEED,
                  "seed of the noise, |seed| <= 2^53 - 1 (exact in every JSON reader)")),
          List.of(),
          Objective.LINEAR,
          Rlw::new);

  /** The per-task stream keys; derived from the seed and the task names, so not state. */
  private final long[] keys;

  /** Reports drawn so far: the index n of the next draw. */
  private long draws;

  public Rlw(List<String> tasks, Params params, double[] initialLosses) {
    super("rlw", tasks, params, initialLosses);
    long seed = params.getLong("seed");
    keys = new long[k()];
    for (int i = 0; i < k(); i++) {
      keys[i] = key(seed, tasks.get(i));
    }
  }

  @Override
  protected void check(TaskReport report) {
    // rlw reads nothing: an empty report still advances the noise
  }

  @Override
  protected Update apply(TaskReport report) {
    double[] z = new double[k()];
    for (int i = 0; i < k(); i++) {
      z[i] = normal(keys[i], draws);
    }
    draws++;
    return new Update(
        report.step(),
        new Weights(tasks(), checkPositive(Softmax.of(z))),
        objective(),
        Map.of("noise", z),
        Map.of());
  }

  /** The stream key of one task. */
  static long key(long seed, String task) {
    long h = 0xcbf29ce484222325L; // FNV-1a, 64 bit
    for (int c = 0; c < task.length(); c++) {
      h ^= task.charAt(c);
      h *= 0x100000001b3L;
    }
    return mix(mix(seed) + h);
  }

  /** The n-th standard normal of a stream (n = 0, 1, ...). */
  static double normal(long key, long n) {
    double u1 = uniform(key, 2 * n + 1);
    double u2 = uniform(key, 2 * n + 2);
    return StrictMath.sqrt(-2 * StrictMath.log(1 - u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
  }

  /** The j-th output of SplitMix64 started at {@code key}, as a double in [0, 1). */
  private static double uniform(long key, long j) {
    return (mix(key + j * GOLDEN) >>> 11) * 0x1.0p-53;
  }

  /** SplitMix64's finaliser (Stafford's variant 13). */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  @Override
  protected void writeState(StateWriter out) {
    out.put("draws", draws);
  }

  @Override
  protected void readState(StateReader in) {
    long d = in.getLong("draws");
    if (d < 0) {
      throw new InvalidInputException("state.data.draws", "draws must be >= 0, got " + d);
    }
    draws = d;
  }
}
