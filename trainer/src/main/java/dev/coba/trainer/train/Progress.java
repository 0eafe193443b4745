package dev.coba.trainer.train;

import dev.coba.trainer.results.DfPoint;
import dev.coba.trainer.results.ValidationPoint;
import dev.coba.trainer.results.WeightPoint;
import java.util.List;

/**
 * Where a method's run stands at a checkpoint: enough to resume it exactly (with the model,
 * Adam's moments and the balancer's state saved beside it) and to finish its results. Written as
 * {@code progress.json} in the checkpoint directory.
 *
 * @param runId the balancer's run id (a resumed run reports to the same run)
 * @param step the updates done
 * @param trainNanos wall time of the training steps so far (validation mini-batches and balancing included)
 * @param initialValid per task the full-validation loss of the initial model
 * @param initialTest per task the test loss of the initial model
 * @param bestStep the step of the lowest mean validation-loss ratio so far (the saved best model)
 * @param bestRatio that ratio
 * @param taskBestStep per task the step of its lowest full-validation loss
 * @param taskBestLoss per task that loss
 * @param stale full validation passes since the best
 * @param historyUntil the last balancer step whose weights are in {@code weights}
 * @param balancerReports the reports made to the balancer
 * @param fallbackReports those it did not answer in time
 */
record Progress(
    String runId,
    long step,
    long trainNanos,
    double[] initialValid,
    double[] initialTest,
    long bestStep,
    double bestRatio,
    long[] taskBestStep,
    double[] taskBestLoss,
    int stale,
    long historyUntil,
    long balancerReports,
    long fallbackReports,
    List<ValidationPoint> validation,
    List<WeightPoint> weights,
    List<DfPoint> df) {}
