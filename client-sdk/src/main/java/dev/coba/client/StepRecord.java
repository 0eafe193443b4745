package dev.coba.client;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A completed step as the balancer keeps it (protocol v1 {@code HistoryEntry}): the combined
 * losses, the weights answered after it, and the method's diagnostics, per-task series as maps
 * keyed by task (CoBa: ratios, slopes, rcs, acs) and scalars (CoBa: df); a value that does not
 * exist yet is null. {@code weightsUsed} is what the lowest rank that reported it trained with
 * (empty when no rank did), {@code weightsUsedDiffer} whether ranks reported different ones.
 */
public record StepRecord(
    long step,
    Map<String, Double> valLosses,
    Map<String, Double> trainLosses,
    Map<String, Double> gradNorms,
    Map<String, Double> weights,
    Map<String, @Nullable Object> diagnostics,
    Map<String, Double> weightsUsed,
    boolean weightsUsedDiffer) {

  /** A record without weightsUsed. */
  public StepRecord(
      long step,
      Map<String, Double> valLosses,
      Map<String, Double> trainLosses,
      Map<String, Double> gradNorms,
      Map<String, Double> weights,
      Map<String, @Nullable Object> diagnostics) {
    this(step, valLosses, trainLosses, gradNorms, weights, diagnostics, Map.of(), false);
  }

  public StepRecord {
    valLosses = Map.copyOf(valLosses);
    trainLosses = Map.copyOf(trainLosses);
    gradNorms = Map.copyOf(gradNorms);
    weights = Map.copyOf(weights);
    diagnostics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(diagnostics));
    weightsUsed = Map.copyOf(weightsUsed);
  }

  /** A scalar diagnostic (e.g. {@code "df"}), null when the method has none or it does not exist yet. */
  public @Nullable Double scalar(String name) {
    return diagnostics.get(name) instanceof Number n ? n.doubleValue() : null;
  }

  /** The tasks' weights in the given order. */
  public double[] weightsIn(List<String> tasks) {
    return tasks.stream().mapToDouble(t -> weights.getOrDefault(t, Double.NaN)).toArray();
  }
}
