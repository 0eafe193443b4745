package dev.coba.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

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

  /**
   * The diagnostics as protocol v1 writes them (a history entry's {@code diagnostics}): each
   * per-task series as a map keyed by task, then the scalars; a value that does not exist yet
   * (NaN, infinite or missing) is null. The sidecar and the in-process client both answer this.
   */
  public Map<String, @Nullable Object> byName() {
    Map<String, @Nullable Object> out = new LinkedHashMap<>();
    taskDiagnostics.forEach(
        (name, values) -> {
          Map<String, @Nullable Double> byTask = new LinkedHashMap<>();
          for (int i = 0; i < weights.tasks().size(); i++) {
            byTask.put(weights.tasks().get(i), finiteOrNull(values[i]));
          }
          out.put(name, byTask);
        });
    diagnostics.forEach((name, value) -> out.put(name, value == null ? null : finiteOrNull(value)));
    return out;
  }

  private static @Nullable Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
