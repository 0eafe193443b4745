package dev.coba.client.djl;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import dev.coba.client.CobaClient;
import dev.coba.client.StepReport;
import dev.coba.client.Weights;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * CoBa for a DJL trainer: add this listener, and mix your per-task losses with {@link #weights()}.
 *
 * <p>What DJL gives a listener is one loss per batch; CoBa needs a validation loss per task.
 * So the per-task losses come from a {@link TaskLosses} you pass (e.g. a small evaluation on
 * one held-out batch per task); the listener counts training batches as steps, asks it every
 * {@code everyBatches} batches, reports to the client, and keeps the answer. The trainer is
 * never inspected, so the listener works with any engine (and with none in tests).
 */
public final class CobaTrainingListener implements TrainingListener {

  /** The per-task validation losses after a step; null to skip reporting this step. */
  @FunctionalInterface
  public interface TaskLosses {
    @Nullable Map<String, Double> after(long step);
  }

  private final CobaClient client;
  private final int rank;
  private final TaskLosses losses;
  private final int everyBatches;
  private long step = -1;
  private volatile Weights weights;

  /**
   * @param rank this process's rank (0 on one device)
   * @param everyBatches report every this many training batches (1: every batch)
   */
  public CobaTrainingListener(CobaClient client, int rank, TaskLosses losses, int everyBatches) {
    if (everyBatches < 1) {
      throw new IllegalArgumentException("everyBatches must be >= 1");
    }
    this.client = client;
    this.rank = rank;
    this.losses = losses;
    this.everyBatches = everyBatches;
    this.weights = client.weights();
  }

  /** Rank 0, every batch. */
  public CobaTrainingListener(CobaClient client, TaskLosses losses) {
    this(client, 0, losses, 1);
  }

  /** The weights for the next batch (uniform before the first report). */
  public Weights weights() {
    return weights;
  }

  /** The last step counted (-1 before the first batch). */
  public long step() {
    return step;
  }

  @Override
  public void onTrainingBatch(
      @Nullable Trainer trainer, TrainingListener.@Nullable BatchData batchData) {
    step++;
    if ((step + 1) % everyBatches != 0) {
      return;
    }
    Map<String, Double> values = losses.after(step);
    if (values != null) {
      weights = client.report(StepReport.builder(step).rank(rank).valLosses(values).build());
    }
  }

  @Override
  public void onEpoch(@Nullable Trainer trainer) {}

  @Override
  public void onValidationBatch(
      @Nullable Trainer trainer, TrainingListener.@Nullable BatchData batchData) {}

  @Override
  public void onTrainingBegin(@Nullable Trainer trainer) {
    weights = client.weights();
  }

  /** Delivers what the client still buffers, within its time limit. */
  @Override
  public void onTrainingEnd(@Nullable Trainer trainer) {
    client.flush();
  }
}
