package dev.coba.core.methods;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Uncertainty weighting (Kendall, Gal and Cipolla, CVPR 2018) at the closed-form optimum of
 * its learned variances (docs/coba-spec.md, "Peers"). Kendall et al. minimise
 * {@code sum_i l_i / (2 sigma_i^2) + log sigma_i} over the model and the sigmas; for fixed
 * losses the optimum is {@code sigma_i^2 = l_i}, so the weight of {@code l_i} is
 * {@code 1 / (2 l_i)}, normalised here: {@code w_i = (1 / l_i) / sum_j (1 / l_j)}.
 *
 * <p>{@code l_i} is the task's current loss: its training loss when the report carries one
 * (the loss Kendall et al. learn the sigmas on), else its validation loss. A task absent from
 * both keeps its last loss; the initial losses given at creation count as the first ones;
 * until every task has a loss the weights are uniform. A loss below {@code epsilon} counts as
 * {@code epsilon}, so a zero loss never gives an infinite weight. The terms are computed as
 * {@code min_j l_j / l_i} (the largest is 1) so that nothing overflows; a weight that still
 * underflows is raised to 1e-300. Per report O(K), memory O(K).
 */
public final class Uncertainty extends AbstractBalancer {
  static final double MIN_WEIGHT = 1e-300;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "uncertainty",
          "Uncertainty weighting (Kendall et al.) at the optimum of the learned variances: "
              + "w_i proportional to 1/l_i, on training losses where reported, else validation losses.",
          List.of(
              ParamSpec.real(
                  "epsilon",
                  1e-8,
                  1e-12,
                  1,
                  "a loss below epsilon counts as epsilon (no infinite weight for a zero loss), in [1e-12, 1]")),
          List.of("trainLosses", "valLosses"),
          Objective.LINEAR,
          Uncertainty::new);

  private final double epsilon;

  /** The task's last loss (training if reported, else validation); NaN until it has one. */
  private final double[] loss;

  public Uncertainty(List<String> tasks, Params params, double[] initialLosses) {
    super("uncertainty", tasks, params, initialLosses);
    epsilon = params.getDouble("epsilon");
    loss = initialLosses.clone();
  }

  @Override
  protected void check(TaskReport report) {
    for (int i = 0; i < k(); i++) {
      if (report.hasVal(i) || !Double.isNaN(report.train()[i])) {
        return;
      }
    }
    throw new InvalidInputException(
        "valLosses",
        "step " + report.step() + ": the report names no task in trainLosses or valLosses");
  }

  @Override
  protected Update apply(TaskReport report) {
    for (int i = 0; i < k(); i++) {
      double train = report.train()[i];
      if (!Double.isNaN(train)) {
        loss[i] = train;
      } else if (report.hasVal(i)) {
        loss[i] = report.val()[i];
      }
    }
    double[] variances = new double[k()];
    double min = Double.POSITIVE_INFINITY;
    for (int i = 0; i < k(); i++) {
      variances[i] = Math.max(loss[i], epsilon); // NaN stays NaN: the task has no loss yet
      min = Math.min(min, variances[i]);
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("variances", variances);
    for (double s : variances) {
      if (Double.isNaN(s)) {
        return new Update(report.step(), Weights.uniform(tasks()), objective(), perTask, Map.of());
      }
    }
    double[] w = new double[k()];
    for (int i = 0; i < k(); i++) {
      w[i] = min / variances[i];
    }
    return new Update(
        report.step(),
        new Weights(tasks(), floorAndNormalise(w, MIN_WEIGHT)),
        objective(),
        perTask,
        Map.of());
  }

  @Override
  protected void writeState(StateWriter out) {
    out.put("losses", loss);
  }

  @Override
  protected void readState(StateReader in) {
    in.copyInto("losses", loss, StateReader.Values.NON_NEGATIVE_OR_UNSET);
  }
}
