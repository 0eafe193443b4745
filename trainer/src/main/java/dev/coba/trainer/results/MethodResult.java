package dev.coba.trainer.results;

import java.util.List;
import java.util.Map;

/**
 * One method's run. {@code bestStep}: the selected checkpoint, the step of the lowest mean
 * validation-loss ratio (mean over tasks of valLoss(step) / valLoss(0)), which is
 * {@code meanValLossRatio}; {@code meanTestLossRatio}: the mean over tasks of their test-loss
 * ratios there. {@code bestStepSpread}: the largest minus the smallest per-task best step (0 when
 * every task peaks together: convergence balance). {@code secondsPerStep}: wall time of the
 * training steps (validation mini-batches and balancing included; full validation passes,
 * checkpoints and the test pass excluded) over {@code steps}, the steps run ({@code stoppedEarly}
 * when the patience ran out before the budget, or the training diverged: {@code diverged}, a
 * non-finite loss; the steps then count to the last full validation pass before it).
 */
public record MethodResult(
        long bestStep,
        double meanValLossRatio,
        double meanTestLossRatio,
        double bestStepSpread,
        double secondsPerStep,
        long steps,
        boolean stoppedEarly,
        boolean diverged,
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
}
