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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic Weight Average (Liu, Johns and Davison, CVPR 2019) on validation losses
 * (docs/coba-spec.md, "Peers"): {@code w_i ∝ exp((l_i(t-1) / l_i(t-2)) / T)}, where
 * {@code l_i(t-1)} and {@code l_i(t-2)} are the task's last two reported losses (the paper
 * uses the last two epochs' average training losses). The paper multiplies by K so that the
 * weights sum to K; ours sum to 1, so the factor is dropped: the trainer may apply it.
 *
 * <p>A task's history starts with its initial loss when one was given at creation. Only
 * positive losses enter it: a zero would make the next ratio infinite, so it is treated as the
 * task being absent from the report. A task absent from a report keeps its last ratio; until
 * every task has two losses the weights are uniform. A ratio is capped at 1e12 (so that
 * {@code ratio / T} stays finite), and a weight that underflows to 0 (very different ratios
 * at a small temperature) is raised to 1e-300 before renormalising. Per report O(K), memory O(K).
 */
public final class Dwa extends AbstractBalancer {
  static final double MAX_RATIO = 1e12;
  static final double MIN_WEIGHT = 1e-300;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "dwa",
          "Dynamic Weight Average on validation losses: w_i proportional to exp((l_i(t-1)/l_i(t-2))/T), "
              + "over each task's last two reported losses.",
          List.of(
              ParamSpec.real(
                  "temperature",
                  2,
                  1e-6,
                  1e6,
                  "softmax temperature T, in [1e-6, 1e6]; larger is closer to uniform, the DWA paper uses 2")),
          List.of("valLosses"),
          Objective.LINEAR,
          Dwa::new);

  private final double temperature;

  /** The task's last positive loss; NaN until it has one. */
  private final double[] last;

  /** The positive loss before {@link #last}; NaN until the task has two. */
  private final double[] before;

  public Dwa(List<String> tasks, Params params, double[] initialLosses) {
    super("dwa", tasks, params, initialLosses);
    temperature = params.getDouble("temperature");
    last = initialLosses.clone(); // a given step-0 loss is the first point of the history
    before = new double[k()];
    Arrays.fill(before, Double.NaN);
  }

  @Override
  protected Update apply(TaskReport report) {
    for (int i = 0; i < k(); i++) {
      if (report.hasVal(i) && report.val()[i] > 0) {
        before[i] = last[i];
        last[i] = report.val()[i];
      }
    }
    double[] ratios = new double[k()];
    boolean ready = true;
    for (int i = 0; i < k(); i++) {
      ratios[i] = Double.isNaN(before[i]) ? Double.NaN : Math.min(last[i] / before[i], MAX_RATIO);
      ready &= !Double.isNaN(ratios[i]);
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratios);
    if (!ready) {
      return new Update(report.step(), Weights.uniform(tasks()), objective(), perTask, Map.of());
    }
    double[] w = new double[k()];
    for (int i = 0; i < k(); i++) {
      w[i] = ratios[i] / temperature;
    }
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
    out.put("last", last).put("before", before);
  }

  @Override
  protected void readState(StateReader in) {
    // only positive losses enter the history (a zero would make the next ratio infinite)
    in.copyInto("last", last, StateReader.Values.POSITIVE_OR_UNSET);
    in.copyInto("before", before, StateReader.Values.POSITIVE_OR_UNSET);
    for (int i = 0; i < k(); i++) {
      if (!Double.isNaN(before[i]) && Double.isNaN(last[i])) {
        throw new InvalidInputException(
            "state.data.last[" + i + "]",
            "a task with a loss before its last one needs its last one, got null");
      }
    }
  }
}
