package dev.coba.core.methods;

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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IGBv1, improvable gap balancing (Dai, Fei and Lu, 2023; docs/coba-spec.md, "Peers"), on
 * validation losses. Base losses {@code b_i} = the mean of the task's losses over its base
 * window; afterwards {@code w = softmax(l_i / b_i)} with {@code l_i} the task's last loss. The
 * objective is {@link Objective#LOG}: the trainer minimises {@code sum_i w_i log l_i^train}.
 * The paper's weights are {@code K * softmax(l_i / b_i)}; ours sum to 1, so the factor K, a
 * constant scale of the whole objective, is left to the trainer (it only rescales the step).
 *
 * <p>The base window is counted in the task's own reports, as CoBa's history is: with
 * {@code baseWindow = W} and {@code baseStart = s}, it is the task's reports number
 * {@code s .. s + W - 1} (1-based); {@code baseStart = 0} (the default) means {@code W + 1}, the
 * second window of W reports, the analogue of the paper's "epoch 2" (W = 20: reports 21..40).
 * Only positive losses count: a zero is taken as the task absent from the validation batch (as
 * MFTCoder does), so every base is positive. A task absent from a report keeps its last loss.
 * Until every task's base is complete the weights are uniform. Scale-free: multiplying a task's
 * losses by a constant multiplies its base too. {@code l_i / b_i} is capped at 1e12 so that it
 * stays finite, and a weight that underflows to 0 (a loss spike far above its base) is raised
 * to 1e-300. The initial losses play no part. Per report O(K), memory O(K).
 */
public final class IgbV1 extends AbstractBalancer {
  static final double MIN_WEIGHT = 1e-300;
  static final double MAX_LOGIT = 1e12;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "igbv1",
          "Improvable Gap Balancing v1: w = softmax(l_i / b_i) with b_i the task's mean loss over a base "
              + "window; applied to log losses (objective log).",
          List.of(
              ParamSpec.integer(
                  "baseWindow",
                  20,
                  1,
                  1_000_000,
                  "reports per task in the base window (the analogue of an epoch; e.g. warmupSteps)"),
              ParamSpec.integer(
                  "baseStart",
                  0,
                  0,
                  1_000_000_000,
                  "the task's report number (1-based) that opens the base window; 0 means baseWindow + 1, "
                      + "the second window (the paper's epoch 2)")),
          List.of("valLosses"),
          Objective.LOG,
          IgbV1::new);

  private final long first;
  private final long last;
  private final int window;

  /** Positive losses seen per task. */
  private final long[] seen;

  /** Sum of the task's losses inside the base window so far (exact: never recomputed). */
  private final double[] baseSum;

  /** The task's last positive loss; NaN before one. */
  private final double[] current;

  public IgbV1(List<String> tasks, Params params, double[] initialLosses) {
    super("igbv1", tasks, params, initialLosses);
    window = params.getInt("baseWindow");
    long start = params.getLong("baseStart");
    first = start == 0 ? window + 1L : start;
    last = first + window - 1;
    seen = new long[k()];
    baseSum = new double[k()];
    current = new double[k()];
    Arrays.fill(current, Double.NaN);
  }

  @Override
  public Objective objective() {
    return Objective.LOG;
  }

  @Override
  protected Update apply(TaskReport report) {
    for (int i = 0; i < k(); i++) {
      if (!report.hasVal(i)) {
        continue; // absent: the task keeps its last loss
      }
      double loss = report.val()[i];
      if (loss > 0) { // a zero is the task absent from the validation batch
        current[i] = loss;
        seen[i]++;
        if (seen[i] >= first && seen[i] <= last) {
          baseSum[i] += loss;
        }
      }
    }
    double[] base = new double[k()];
    boolean ready = true;
    for (int i = 0; i < k(); i++) {
      base[i] = seen[i] >= last ? baseSum[i] / window : Double.NaN;
      ready &= seen[i] >= last;
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("base", base);
    if (!ready) {
      return new Update(report.step(), Weights.uniform(tasks()), objective(), perTask, Map.of());
    }
    double[] w = new double[k()];
    for (int i = 0; i < k(); i++) {
      w[i] = Math.min(current[i] / base[i], MAX_LOGIT);
    }
    perTask.put("normalised", w.clone());
    Softmax.apply(w, w);
    return new Update(
        report.step(),
        new Weights(tasks(), floorAndNormalise(w, MIN_WEIGHT)),
        objective(),
        perTask,
        Map.of());
  }

  @Override
  protected void writeState(StateWriter out) {
    out.put("seen", seen).put("baseSum", baseSum).put("current", current);
  }

  @Override
  protected void readState(StateReader in) {
    in.copyInto("seen", seen, 0);
    in.copyInto("baseSum", baseSum, StateReader.Values.NON_NEGATIVE);
    in.copyInto(
        "current", current, StateReader.Values.POSITIVE_OR_UNSET); // only positive losses are kept
  }
}
