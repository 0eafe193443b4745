package dev.coba.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.coba.trainer.data.Batch;

/**
 * The losses of one forward pass over a {@link Batch}. Row {@code r}'s input is {@code ids[r][0..L-1)},
 * its targets {@code ids[r][1..L)} with the mask {@code mask[r][1..L)} (the data layer marks the
 * tokens that are predicted). Per example: the masked mean token NLL, so a long and a short
 * example count the same; per task: the mean over its examples (tasks average examples, not tokens,
 * as in MFTCoder); then the weighted objective.
 */
public final class TaskWeightedLoss {
  private final NDArray inputs; // (B, L-1) int
  private final NDArray targets; // (B, L-1) int64
  private final NDArray mask; // (B, L-1) float 0/1
  private final NDArray[] taskRows; // per task: (B) float 0/1
  private final int[] rowsOfTask;

  /** The batch as arrays on {@code manager} (a per-step sub-manager), for {@code tasks} tasks. */
  public TaskWeightedLoss(NDManager manager, Batch batch, int tasks) {
    int b = batch.rows();
    int len = batch.length();
    if (b == 0 || len < 2) {
      throw new IllegalArgumentException("a batch needs a row and at least two tokens a row");
    }
    int t = len - 1;
    int[] in = new int[b * t];
    int[] out = new int[b * t];
    float[] m = new float[b * t];
    rowsOfTask = new int[tasks];
    float[][] tr = new float[tasks][b];
    for (int r = 0; r < b; r++) {
      for (int i = 0; i < t; i++) {
        in[r * t + i] = batch.ids()[r][i];
        out[r * t + i] = batch.ids()[r][i + 1];
        m[r * t + i] = batch.mask()[r][i + 1] ? 1f : 0f;
      }
      int task = batch.taskOfRow()[r];
      if (task < 0 || task >= tasks) {
        throw new IllegalArgumentException(
            "row " + r + " has task " + task + ", expected 0.." + (tasks - 1));
      }
      tr[task][r] = 1f;
      rowsOfTask[task]++;
    }
    inputs = manager.create(in, new Shape(b, t));
    targets = manager.create(out, new Shape(b, t)).toType(DataType.INT64, false);
    mask = manager.create(m, new Shape(b, t));
    taskRows = new NDArray[tasks];
    for (int k = 0; k < tasks; k++) {
      taskRows[k] = manager.create(tr[k]);
    }
  }

  /** The model input {@code (B, L-1)}. */
  public NDArray inputs() {
    return inputs;
  }

  /** How many rows each task has in this batch. */
  public int rowsOf(int task) {
    return rowsOfTask[task];
  }

  /** Per-example masked mean NLL {@code (B)} from logits {@code (B, L-1, V)}. */
  public NDArray perExample(NDArray logits) {
    // gather, not logSoftmax·oneHot: the latter multiplies -inf by 0 and can go NaN (DJL-NOTES)
    NDArray nll = logits.logSoftmax(2).gather(targets.expandDims(2), 2).squeeze(2).neg();
    // a row without targets (cannot come from the data layer) gives 0, not 0/0
    return nll.mul(mask)
        .sum(new int[] {1})
        .div(mask.sum(new int[] {1}).maximum(Scalars.of(mask, 1)));
  }

  /**
   * Per task, the norm of the gradient of its <em>unweighted</em> mean loss with respect to the
   * LM head {@code W} (logits = H·W), from the detached logits {@code (B, T, V)} and final hidden
   * states {@code (B, T, d)} of the forward already done: dL/dW = Hᵀ·((softmax − onehot(y)) ⊙
   * mask / tokens ⊙ rows of the task / their count). Exact (the head has no bias and is untied)
   * and one matmul per task instead of a backward pass per task (DJL-NOTES: that costs a step
   * each). NaN for a task absent from the batch.
   */
  public double[] headGradientNorms(NDArray logits, NDArray hidden) {
    NDArray lg = logits.stopGradient();
    long b = lg.getShape().get(0);
    long t = lg.getShape().get(1);
    long v = lg.getShape().get(2);
    long d = hidden.getShape().get(2);
    NDArray h = hidden.stopGradient().reshape(b * t, d).transpose();
    NDArray perToken =
        mask.div(mask.sum(new int[] {1}, true).maximum(Scalars.of(mask, 1))).expandDims(2);
    NDArray dLogits = lg.softmax(2).sub(targets.oneHot((int) v)).mul(perToken);
    double[] norms = new double[taskRows.length];
    for (int k = 0; k < taskRows.length; k++) {
      if (rowsOfTask[k] == 0) {
        norms[k] = Double.NaN;
        continue;
      }
      NDArray rows = taskRows[k].div(Scalars.of(taskRows[k], rowsOfTask[k])).reshape(b, 1, 1);
      norms[k] = h.matMul(dLogits.mul(rows).reshape(b * t, v)).norm().getFloat();
    }
    return norms;
  }

  /**
   * Per-task mean losses, each a scalar array; the entry of a task with no rows in the batch is
   * null (it has no loss to report or to weigh).
   */
  public NDArray[] perTask(NDArray perExample) {
    NDArray[] losses = new NDArray[taskRows.length];
    for (int k = 0; k < taskRows.length; k++) {
      if (rowsOfTask[k] > 0) {
        losses[k] = perExample.mul(taskRows[k]).sum().div(Scalars.of(perExample, rowsOfTask[k]));
      }
    }
    return losses;
  }

  /**
   * {@code Σ w_k L_k} ({@link Objective#LINEAR}) or {@code Σ w_k log L_k} ({@link Objective#LOG})
   * over the tasks present. A weight of exactly 0 leaves its task out of the graph altogether, so
   * that task's loss sends no gradient (not even a 0·NaN one).
   */
  public static NDArray objective(NDArray[] taskLosses, double[] weights, Objective objective) {
    if (weights.length != taskLosses.length) {
      throw new IllegalArgumentException(
          weights.length + " weights for " + taskLosses.length + " tasks");
    }
    NDArray total = null;
    for (int k = 0; k < taskLosses.length; k++) {
      double w = weights[k];
      if (!Double.isFinite(w) || w < 0) {
        throw new IllegalArgumentException(
            "weight " + k + " must be finite and non-negative, got " + w);
      }
      if (taskLosses[k] == null || w == 0) {
        continue;
      }
      NDArray l =
          objective == Objective.LOG
              ? taskLosses[k].maximum(Scalars.of(taskLosses[k], 1e-12)).log()
              : taskLosses[k];
      NDArray term = l.mul(Scalars.of(l, w));
      total = total == null ? term : total.add(term);
    }
    if (total == null) {
      throw new IllegalArgumentException("every task present in the batch has weight 0");
    }
    return total;
  }

  /** The scalar losses as doubles; NaN for a task absent from the batch. */
  public static double[] toDoubles(NDArray[] taskLosses) {
    double[] out = new double[taskLosses.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = taskLosses[k] == null ? Double.NaN : taskLosses[k].getFloat();
    }
    return out;
  }
}
