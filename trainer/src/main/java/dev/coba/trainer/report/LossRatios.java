package dev.coba.trainer.report;

import dev.coba.trainer.results.ValidationPoint;
import java.util.Arrays;
import java.util.List;

/**
 * The curves drawn from the full-validation losses, as pure functions so that they can be checked
 * by hand: the loss ratio valLoss(step) / valLoss(0) (the paper's convergence measure) and its
 * min-max normalisation per task (the paper's Figure 9, which puts tasks of any scale on [0, 1]).
 * A loss that is missing or not finite gives NaN, which the charts leave out.
 */
final class LossRatios {
  private LossRatios() {}

  /** The steps of the validation points, in order. */
  static double[] steps(List<ValidationPoint> validation) {
    return validation.stream().mapToDouble(ValidationPoint::step).toArray();
  }

  /** One task's loss at each point divided by its loss at the first point (step 0, the initial model). */
  static double[] ratios(List<ValidationPoint> validation, String task) {
    double[] ratios = new double[validation.size()];
    if (validation.isEmpty()) {
      return ratios;
    }
    double initial = loss(validation.get(0), task);
    for (int i = 0; i < ratios.length; i++) {
      double ratio = loss(validation.get(i), task) / initial;
      ratios[i] = Double.isFinite(ratio) ? ratio : Double.NaN;
    }
    return ratios;
  }

  /** The mean over the tasks of their ratios at each point (NaN where a task has none). */
  static double[] meanRatios(List<ValidationPoint> validation, List<String> tasks) {
    double[] mean = new double[validation.size()];
    if (tasks.isEmpty()) {
      Arrays.fill(mean, Double.NaN);
      return mean;
    }
    for (String task : tasks) {
      double[] ratios = ratios(validation, task);
      for (int i = 0; i < mean.length; i++) {
        mean[i] += ratios[i] / tasks.size();
      }
    }
    return mean;
  }

  /**
   * (x - min) / (max - min) over the finite values; NaN stays NaN, and a curve with no range (one
   * point, or flat) maps to 0 so that it still shows.
   */
  static double[] minMaxNormalise(double[] values) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double value : values) {
      if (Double.isFinite(value)) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
    }
    double range = max - min;
    double[] normalised = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        normalised[i] = Double.NaN;
      } else {
        normalised[i] = range > 0 ? (values[i] - min) / range : 0;
      }
    }
    return normalised;
  }

  private static double loss(ValidationPoint point, String task) {
    Double loss = point.losses().get(task);
    return loss == null ? Double.NaN : loss;
  }
}
