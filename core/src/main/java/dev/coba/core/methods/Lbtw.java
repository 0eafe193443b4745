package dev.coba.core.methods;

import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.ReferenceLosses;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loss-Balanced Task Weighting (Liu, Liang and Gitter, AAAI 2019) fed validation losses, the
 * CoBa paper's LBTW* (docs/coba-spec.md, "Peers"): {@code w_i ∝ (l_i(t) / l_i(0))^b}. A task
 * whose loss has fallen least since the start weighs most.
 *
 * <p>{@code l_i(0)} is the task's initial loss given at creation, else its first positive
 * reported validation loss (its ratio is 1 at that report; a zero loss before it gives no
 * ratio). A task absent from a report keeps its last ratio; until every task has a ratio the
 * weights are uniform. Ratios are clamped to [1e-12, 1e12] and divided by the largest before
 * the power, so that a zero loss still gets a positive weight and nothing under- or overflows
 * (with {@code b <= 10} the smallest term is at least 1e-240). Scale-free: multiplying a
 * task's losses by a constant leaves its ratios unchanged. Per report O(K), memory O(K).
 */
public final class Lbtw extends AbstractBalancer {
  static final double MIN_RATIO = 1e-12;
  static final double MAX_RATIO = 1e12;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "lbtw",
          "Loss-Balanced Task Weighting on validation losses (LBTW*): w_i proportional to (l_i(t)/l_i(0))^b.",
          List.of(
              ParamSpec.real(
                  "b",
                  0.5,
                  0,
                  10,
                  "exponent of the loss ratio, in [0, 10]; 0 gives uniform weights, the LBTW paper recommends 0.5")),
          List.of("valLosses"),
          Objective.LINEAR,
          Lbtw::new);

  private final double b;
  private final ReferenceLosses reference;

  /** The task's last ratio l_i(t) / l_i(0); NaN until it has one. */
  private final double[] ratio;

  public Lbtw(List<String> tasks, Params params, double[] initialLosses) {
    super("lbtw", tasks, params, initialLosses);
    b = params.getDouble("b");
    reference = new ReferenceLosses(initialLosses);
    ratio = new double[k()];
    Arrays.fill(ratio, Double.NaN);
  }

  @Override
  protected Update apply(TaskReport report) {
    for (int i = 0; i < k(); i++) {
      // absent, or no reference yet: the task keeps its last ratio (NaN before its first)
      double r = report.hasVal(i) ? reference.ratio(i, report.val()[i]) : Double.NaN;
      if (!Double.isNaN(r)) {
        ratio[i] = r;
      }
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratio.clone());
    double max = 0;
    for (int i = 0; i < k(); i++) {
      if (Double.isNaN(ratio[i])) {
        return new Update(report.step(), Weights.uniform(tasks()), objective(), perTask, Map.of());
      }
      max = Math.max(max, clamp(ratio[i]));
    }
    double[] w = new double[k()];
    double sum = 0;
    for (int i = 0; i < k(); i++) {
      // (r_i / r_max)^b: the same proportions as r_i^b, but the largest term is 1
      w[i] = Math.pow(clamp(ratio[i]) / max, b);
      sum += w[i];
    }
    for (int i = 0; i < k(); i++) {
      w[i] /= sum;
    }
    return new Update(
        report.step(), new Weights(tasks(), checkPositive(w)), objective(), perTask, Map.of());
  }

  private static double clamp(double r) {
    return Math.min(Math.max(r, MIN_RATIO), MAX_RATIO);
  }

  @Override
  protected void writeState(StateWriter out) {
    reference.write(out);
    out.put("ratios", ratio);
  }

  @Override
  protected void readState(StateReader in) {
    reference.read(in);
    in.copyInto("ratios", ratio, StateReader.Values.NON_NEGATIVE_OR_UNSET);
  }
}
