package dev.coba.trainer.results;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * One method's run. {@code bestStep}: the selected checkpoint, the step of the lowest mean
 * validation-loss ratio (mean over tasks of valLoss(step) / valLoss(0)), which is
 * {@code meanValLossRatio}; {@code meanTestLossRatio}: the mean over tasks of their test-loss
 * ratios there; {@code meanExactMatch}: the mean of the tasks' exact match there (over the tasks
 * that have answers; null if none), {@code meanNextTokenAccuracy} that of the plain-text tasks'
 * next-token accuracy (null if none). {@code bestStepSpread}: the largest minus the smallest per-task best step (0 when
 * every task peaks together: convergence balance); {@code meanEndAboveBest}: the mean over tasks of
 * how far each ends above its own best validation loss (see {@link TaskResult}; lower is more
 * balanced on a fixed budget, {@code --no-early-stop}). {@code secondsPerStep}: wall time of the
 * training steps (validation mini-batches and balancing included; full validation passes,
 * checkpoints and the test pass excluded) over {@code steps}, the steps run ({@code stoppedEarly}
 * when the patience ran out before the budget, or the training diverged: {@code diverged}, a
 * non-finite loss; the steps then count to the last full validation pass before it).
 * {@code balancerReports}: the validation reports made to the balancer (0 for uniform and stl);
 * {@code fallbackReports}: those it did not answer in time (a sidecar out of reach), after which
 * the client gave its last weights again and training went on with them.
 */
public record MethodResult(
    long bestStep,
    double meanValLossRatio,
    double meanTestLossRatio,
    Double meanExactMatch,
    Double meanNextTokenAccuracy,
    double bestStepSpread,
    double meanEndAboveBest,
    double secondsPerStep,
    long steps,
    boolean stoppedEarly,
    boolean diverged,
    long balancerReports,
    long fallbackReports,
    Map<String, TaskResult> tasks,
    List<ValidationPoint> validation,
    List<WeightPoint> weights,
    List<DfPoint> df) {
  public MethodResult {
    tasks = Results.orderedCopy(tasks);
    validation = List.copyOf(validation);
    weights = List.copyOf(weights);
    df = List.copyOf(df);
  }

  /** The mean of the tasks' exact match (null where a task has none), null when no task has one. */
  public static Double meanExactMatch(Map<String, TaskResult> tasks) {
    return mean(
        tasks.values().stream()
            .filter(t -> t.exactMatch() != null)
            .mapToDouble(TaskResult::exactMatch)
            .toArray());
  }

  /** The mean next-token accuracy of the tasks without exact match (plain texts), null when there are none. */
  public static Double meanNextTokenAccuracy(Map<String, TaskResult> tasks) {
    return mean(
        tasks.values().stream()
            .filter(t -> t.exactMatch() == null)
            .mapToDouble(TaskResult::nextTokenAccuracy)
            .toArray());
  }

  private static Double mean(double[] values) {
    return values.length == 0 ? null : java.util.Arrays.stream(values).sum() / values.length;
  }

  /**
   * True when more than half of the reports were not answered: the method's weights came mostly
   * from the fallback, so its numbers say little about the method. Written to results.json.
   */
  @JsonProperty("mostlyFallback")
  public boolean mostlyFallback() {
    return 2 * fallbackReports > balancerReports;
  }
}
