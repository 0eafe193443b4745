package dev.coba.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The task weights for the next training step, in the run's task order: positive, summing to 1.
 * Immutable.
 *
 * <p>{@link #step()} is the completed step they follow (null: before any step, uniform).
 * {@link #fallback()} is true when these are not the answer to the report just made but the
 * last weights the client had (the sidecar was unreachable, slow, or the step still waits for
 * other ranks): keep training with them, the report is buffered and replayed.
 */
public final class Weights {
  private final Map<String, Double> values;
  private final Objective objective;
  private final @Nullable Long step;
  private final boolean fallback;

  public Weights(
      Map<String, Double> values, Objective objective, @Nullable Long step, boolean fallback) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("weights need at least one task");
    }
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.objective = Objects.requireNonNull(objective, "objective");
    this.step = step;
    this.fallback = fallback;
  }

  /** Equal weights, before any step. */
  public static Weights uniform(List<String> tasks, Objective objective) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String t : tasks) {
      m.put(t, 1.0 / tasks.size());
    }
    return new Weights(m, objective, null, false);
  }

  /** Task to weight, in task order. */
  public Map<String, Double> asMap() {
    return values;
  }

  public List<String> tasks() {
    return List.copyOf(values.keySet());
  }

  /** The weight of a task; throws IllegalArgumentException for an unknown one. */
  public double get(String task) {
    Double w = values.get(task);
    if (w == null) {
      throw new IllegalArgumentException("unknown task: " + task);
    }
    return w;
  }

  public Objective objective() {
    return objective;
  }

  /** The completed step these weights follow; null before the first. */
  public @Nullable Long step() {
    return step;
  }

  /** True when these are the last known weights, not a fresh answer (see the class comment). */
  public boolean fallback() {
    return fallback;
  }

  /** True when these are the run's answer to the report just made (the opposite of {@link #fallback()}). */
  public boolean fresh() {
    return !fallback;
  }

  /** The same weights marked as a fallback. */
  public Weights asFallback() {
    return fallback ? this : new Weights(values, objective, step, true);
  }

  /** The weighted sum of per-task losses (or of their logs with {@link Objective#LOG}): the loss to minimise. */
  public double combine(Map<String, Double> taskLosses) {
    double sum = 0;
    for (Map.Entry<String, Double> e : values.entrySet()) {
      Double l = taskLosses.get(e.getKey());
      if (l == null) {
        throw new IllegalArgumentException("no loss for task " + e.getKey());
      }
      sum += e.getValue() * (objective == Objective.LOG ? Math.log(l) : l);
    }
    return sum;
  }

  /** Equal when values, objective and step are; {@link #fallback()} is not compared. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Weights w
        && values.equals(w.values)
        && objective == w.objective
        && Objects.equals(step, w.step);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values, objective, step);
  }

  @Override
  public String toString() {
    return "Weights"
        + values
        + (step == null ? "" : " after step " + step)
        + (fallback ? " (fallback)" : "");
  }
}
