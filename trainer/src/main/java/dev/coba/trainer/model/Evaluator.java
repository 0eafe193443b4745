package dev.coba.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.coba.trainer.data.Batch;
import java.util.Arrays;
import java.util.List;

/**
 * Per-task mean validation (or test) loss: the same per-example masked mean NLL as training,
 * averaged over all examples of each task across the mini-batches; no gradients are recorded.
 * {@link #score} also judges the answers ({@link AnswerScores}).
 */
public final class Evaluator {
  private Evaluator() {}

  /** The losses of a pass and, from the same forward passes, the answers' scores. */
  public record Scored(double[] losses, AnswerScores answers) {}

  /**
   * @param batches e.g. {@code Batches.miniBatches(task.valid(), k, size)} for every task {@code k}
   * @return per task the mean loss over its examples, NaN for a task with none
   */
  public static double[] evaluate(CausalLm lm, NDManager manager, List<Batch> batches, int tasks) {
    return pass(lm, manager, batches, tasks, null);
  }

  /** As {@link #evaluate}, and each example's answer judged from the model's most likely next tokens. */
  public static Scored score(CausalLm lm, NDManager manager, List<Batch> batches, int tasks) {
    AnswerScores answers = new AnswerScores(tasks);
    return new Scored(pass(lm, manager, batches, tasks, answers), answers);
  }

  private static double[] pass(
      CausalLm lm, NDManager manager, List<Batch> batches, int tasks, AnswerScores answers) {
    double[] sum = new double[tasks];
    long[] count = new long[tasks];
    for (Batch batch : batches) {
      try (NDManager sm = manager.newSubManager()) {
        TaskWeightedLoss loss = new TaskWeightedLoss(sm, batch, tasks);
        // stopGradient: no autograd graph is kept for the logits, whether or not a collector is
        // open
        NDArray logits = lm.logits(loss.inputs()).stopGradient();
        float[] perExample = loss.perExample(logits).toFloatArray();
        for (int r = 0; r < perExample.length; r++) {
          int k = batch.taskOfRow()[r];
          sum[k] += perExample[r];
          count[k]++;
        }
        if (answers != null) {
          long[] predicted =
              logits.argMax(2).toLongArray(); // (B, L-1): the token after each position
          int positions = batch.length() - 1;
          for (int r = 0; r < batch.rows(); r++) {
            answers.add(
                batch.taskOfRow()[r],
                batch.ids()[r],
                batch.mask()[r],
                Arrays.copyOfRange(predicted, r * positions, (r + 1) * positions));
          }
        }
      }
    }
    double[] mean = new double[tasks];
    for (int k = 0; k < tasks; k++) {
      mean[k] = count[k] == 0 ? Double.NaN : sum[k] / count[k];
    }
    return mean;
  }
}
