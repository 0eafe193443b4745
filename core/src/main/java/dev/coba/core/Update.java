package dev.coba.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a balancer answers to a report: the weights for the next training step, the
 * objective they apply to, and the method's diagnostics for plots.
 *
 * @param step the step of the report this answers
 * @param weights the weights for step {@code step + 1}
 * @param objective linear or log
 * @param taskDiagnostics per-task series by name (CoBa: slopes, rcs, acs), in task order
 * @param diagnostics scalar diagnostics by name (CoBa: df)
 */
public record Update(
    long step,
    Weights weights,
    Objective objective,
    Map<String, double[]> taskDiagnostics,
    Map<String, Double> diagnostics) {

  public Update {
    taskDiagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(taskDiagnostics));
    diagnostics = Collections.unmodifiableMap(new LinkedHashMap<>(diagnostics));
  }
}
