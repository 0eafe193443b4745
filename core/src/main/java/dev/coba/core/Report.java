package dev.coba.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One report from the trainer: the step number it describes and per-task values. A task
 * missing from a map is simply not measured at this step. Maps keep their insertion order.
 *
 * @param step the optimizer step the losses were measured after
 * @param valLosses per-task validation losses (what CoBa reads)
 * @param trainLosses per-task training losses (optional: null is empty)
 * @param gradNorms per-task gradient norms of the shared last layer (optional: null is empty; GradNorm)
 */
public record Report(
    long step,
    Map<String, Double> valLosses,
    Map<String, Double> trainLosses,
    Map<String, Double> gradNorms) {

  /** The canonical constructor: the optional maps may be null, the accessors never answer null. */
  public Report(
      long step,
      Map<String, Double> valLosses,
      @Nullable Map<String, Double> trainLosses,
      @Nullable Map<String, Double> gradNorms) {
    this.step = step;
    this.valLosses = copy(valLosses);
    this.trainLosses = copy(trainLosses);
    this.gradNorms = copy(gradNorms);
  }

  /** A report with validation losses only. */
  public static Report of(long step, Map<String, Double> valLosses) {
    return new Report(step, valLosses, Map.of(), Map.of());
  }

  private static Map<String, Double> copy(@Nullable Map<String, Double> m) {
    return m == null || m.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
