package dev.coba.core.methods;

import dev.coba.core.InvalidInputException;
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
 * GradNorm (Chen, Badrinarayanan, Lee and Rabinovich, ICML 2018) with validation-loss ratios,
 * the CoBa paper's GradNorm* (docs/coba-spec.md, "Peers"). The trainer reports
 * {@code g_i = gradNorms[i]}, the norm of the gradient of the <em>unweighted</em> task loss with
 * respect to the shared last layer. With the current weights w:
 * <pre>
 *   G_i      = w_i * g_i
 *   r_i      = (l_i(t) / l_i(0)) / mean_j (l_j(t) / l_j(0))
 *   target_i = mean_j(G_j) * r_i^alpha         (a constant, as in the paper)
 *   L        = sum_i |G_i - target_i|,   dL/dw_i = sign(G_i - target_i) * g_i   (sign(0) = 0)
 *   w_i     <- max(w_i - lr * dL/dw_i, 1e-12), then w <- w / sum(w)
 * </pre>
 * The paper renormalises to sum K; ours sum to 1, so {@code lr} acts on weights K times smaller
 * than the paper's. The paper steps w with the model's own optimizer and learning rate; the CoBa
 * paper blames GradNorm*'s weak results on that tiny rate, so this is plain gradient descent with
 * {@code lr} 0.025 by default (FAMO's logit rate in the same appendix). The floor 1e-12 keeps
 * every weight positive; a floored task gets {@code G_i} below target and climbs back.
 *
 * <p>{@code l_i(0)} is the initial loss given at creation, else the task's first positive
 * reported validation loss. A task absent from valLosses keeps its last ratio; until every task
 * has one the weights stay as they are (uniform at first). Every report must carry gradNorms for
 * every task. A ratio is capped at 1e12 (so that its mean stays finite); if every ratio is 0,
 * all {@code r_i} are taken as 1. Per report O(K), memory O(K).
 */
public final class GradNorm extends AbstractBalancer {
  static final double FLOOR = 1e-12;
  static final double MAX_RATIO = 1e12;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "gradnorm",
          "GradNorm on validation-loss ratios (GradNorm*): a gradient step on the weights toward equal "
              + "weighted gradient norms, scaled by the relative inverse training rate to the power alpha.",
          List.of(
              ParamSpec.real(
                  "alpha",
                  1.5,
                  0,
                  100,
                  "asymmetry alpha, in [0, 100]; 0 equalises the weighted gradient norms"),
              ParamSpec.real(
                  "lr",
                  0.025,
                  0,
                  10,
                  "gradient-descent rate of the weights (which sum to 1), in [0, 10]")),
          List.of("valLosses", "gradNorms"),
          Objective.LINEAR,
          GradNorm::new);

  private final double alpha;
  private final double lr;
  private final ReferenceLosses reference;

  /** The task's last ratio l_i(t) / l_i(0); NaN until it has one. */
  private final double[] ratio;

  public GradNorm(List<String> tasks, Params params, double[] initialLosses) {
    super("gradnorm", tasks, params, initialLosses);
    alpha = params.getDouble("alpha");
    lr = params.getDouble("lr");
    reference = new ReferenceLosses(initialLosses);
    ratio = new double[k()];
    Arrays.fill(ratio, Double.NaN);
  }

  @Override
  protected void check(TaskReport report) {
    super.check(report);
    boolean any = false;
    for (double g : report.grad()) {
      any |= !Double.isNaN(g);
    }
    if (!any) {
      throw new InvalidInputException(
          "gradNorms",
          "step "
              + report.step()
              + ": gradnorm needs gradNorms (the gradient norm of each unweighted task loss on the shared last layer)");
    }
    for (int i = 0; i < k(); i++) {
      if (Double.isNaN(report.grad()[i])) {
        throw new InvalidInputException(
            "gradNorms." + tasks().get(i),
            "step "
                + report.step()
                + ": gradnorm needs gradNorms for every task; task '"
                + tasks().get(i)
                + "' has none");
      }
    }
  }

  @Override
  protected Update apply(TaskReport report) {
    for (int i = 0; i < k(); i++) {
      // absent, or no reference yet: the task keeps its last ratio (NaN before its first)
      double r = report.hasVal(i) ? reference.ratio(i, report.val()[i]) : Double.NaN;
      if (!Double.isNaN(r)) {
        ratio[i] = Math.min(r, MAX_RATIO);
      }
    }
    double[] w = weights().values();
    double meanRatio = 0;
    for (int i = 0; i < k(); i++) {
      if (Double.isNaN(ratio[i])) {
        return new Update(
            report.step(),
            new Weights(tasks(), w),
            objective(),
            Map.of("ratios", ratio.clone()),
            Map.of());
      }
      meanRatio += ratio[i];
    }
    meanRatio /= k();
    double[] g = report.grad();
    double[] weighted = new double[k()];
    double meanG = 0;
    for (int i = 0; i < k(); i++) {
      weighted[i] = w[i] * g[i];
      meanG += weighted[i];
    }
    meanG /= k();
    double[] relative = new double[k()];
    double[] targets = new double[k()];
    for (int i = 0; i < k(); i++) {
      relative[i] = meanRatio == 0 ? 1 : ratio[i] / meanRatio;
      targets[i] = meanG * Math.pow(relative[i], alpha);
      // comparisons rather than signum: an overflowed target (inf * 0) gives 0, never NaN
      double sign = weighted[i] > targets[i] ? 1 : weighted[i] < targets[i] ? -1 : 0;
      double grad = sign * g[i];
      w[i] -= lr * grad;
    }
    floorAndNormalise(w, FLOOR);
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratio.clone());
    perTask.put("relativeRatios", relative);
    perTask.put("weightedGradNorms", weighted);
    perTask.put("targets", targets);
    return new Update(report.step(), new Weights(tasks(), w), objective(), perTask, Map.of());
  }

  @Override
  protected void writeState(StateWriter out) {
    // the current weights, the other half of the state, are in the envelope
    reference.write(out);
    out.put("ratios", ratio);
  }

  @Override
  protected void readState(StateReader in) {
    reference.read(in);
    in.copyInto("ratios", ratio, StateReader.Values.NON_NEGATIVE_OR_UNSET);
  }
}
