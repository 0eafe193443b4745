package dev.coba.trainer.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.coba.trainer.data.Batch;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One optimisation step on a {@link CausalLm}: one forward pass over a batch with every task,
 * per-task mean losses, the weighted objective, backward, and an Adam update. Holds a DJL
 * {@link Trainer} and a {@link ResumableAdam} for the life of a run; close it at the end.
 *
 * <p>Adam clips each gradient element to ±{@code clip} (DJL's clipping is element-wise, not a
 * norm): with it the spike's runs stayed finite where an unclipped lr 3e-3 went NaN. Adam's
 * moments are saved with {@link #saveOptimizer} so that a resumed run continues identically.
 */
public final class TrainStep implements AutoCloseable {
  static final String OPTIMIZER_FILE = "optimizer.bin";

  private final CausalLm lm;
  private final int tasks;
  private final Objective objective;
  private final ResumableAdam adam;
  private final Model model;
  private final Trainer trainer;

  /** The losses of one step, before its update; {@code headGradNorms} is null unless asked for. */
  public record Result(double[] losses, double[] headGradNorms) {}

  /**
   * @param lm an initialised model ({@link CausalLm#create} or {@link CausalLm#load}); its weights are
   *     updated in place
   * @param tasks the number of tasks (the length of every weight vector)
   */
  public TrainStep(CausalLm lm, int tasks, Objective objective, float learningRate, float clip) {
    if (tasks < 1) {
      throw new IllegalArgumentException("need at least one task, got " + tasks);
    }
    if (!(learningRate > 0) || !(clip > 0)) {
      throw new IllegalArgumentException("learningRate and clip must be positive");
    }
    if (!lm.isInitialized()) {
      throw new IllegalArgumentException(
          "the model is not initialised: use CausalLm.create or load");
    }
    // a loaded parameter (Parameter.load decodes a fresh array) may not carry a gradient yet
    lm.getParameters()
        .values()
        .forEach(
            p -> {
              if (p.requiresGradient() && !p.getArray().hasGradient()) {
                p.getArray().setRequiresGradient(true);
              }
            });
    this.lm = lm;
    this.tasks = tasks;
    this.objective = objective;
    this.adam = new ResumableAdam(lm, learningRate, clip);
    this.model = Model.newInstance("causal-lm");
    model.setBlock(lm);
    // the config's Loss is never called: the loss is TaskWeightedLoss's objective
    DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(adam);
    // no trainer.initialize(): the block already holds its (seeded or loaded) weights
    this.trainer = model.newTrainer(cfg);
  }

  public CausalLm model() {
    return lm;
  }

  /** The objective the weights apply to (LINEAR: Σ w L; LOG: Σ w log L). */
  public Objective objective() {
    return objective;
  }

  /** Updates done so far (restored by {@link #loadOptimizer}). */
  public int updates() {
    return adam.steps();
  }

  /**
   * Trains on {@code batch} with {@code weights} (task order, non-negative; a task absent from
   * the batch is ignored) and returns the per-task mean losses before the update (NaN for an
   * absent task): the training losses of this step.
   */
  public double[] step(Batch batch, double[] weights) {
    return step(batch, weights, false).losses();
  }

  /**
   * As {@link #step(Batch, double[])}; with {@code headGradNorms} also the per-task gradient
   * norms of the LM head (for GradNorm), computed from this step's forward pass.
   */
  public Result step(Batch batch, double[] weights, boolean headGradNorms) {
    if (weights.length != tasks) {
      throw new IllegalArgumentException(weights.length + " weights for " + tasks + " tasks");
    }
    // every array of the step lives here and is freed with it
    try (NDManager sm = trainer.getManager().newSubManager()) {
      TaskWeightedLoss loss = new TaskWeightedLoss(sm, batch, tasks);
      double[] out;
      double[] norms = null;
      try (GradientCollector gc = trainer.newGradientCollector()) {
        NDList fwd = trainer.forward(new NDList(loss.inputs()));
        NDArray[] perTask = loss.perTask(loss.perExample(fwd.get(0)));
        gc.backward(TaskWeightedLoss.objective(perTask, weights, objective));
        out = TaskWeightedLoss.toDoubles(perTask);
        if (headGradNorms) {
          norms = loss.headGradientNorms(fwd.get(0), fwd.get(1));
        }
      }
      trainer.step(); // Adam update; also zeroes the gradients for the next step
      return new Result(out, norms);
    }
  }

  /** Writes Adam's state to {@code dir/optimizer.bin}. */
  public void saveOptimizer(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (DataOutputStream out =
        new DataOutputStream(
            new BufferedOutputStream(Files.newOutputStream(dir.resolve(OPTIMIZER_FILE))))) {
      adam.save(out);
    }
  }

  /** Restores Adam's state from {@code dir/optimizer.bin} (written by {@link #saveOptimizer}). */
  public void loadOptimizer(Path dir) throws IOException {
    NDManager parameters = lm.getParameters().valueAt(0).getArray().getManager();
    try (DataInputStream in =
        new DataInputStream(
            new BufferedInputStream(Files.newInputStream(dir.resolve(OPTIMIZER_FILE))))) {
      adam.load(in, parameters);
    }
  }

  @Override
  public void close() {
    trainer.close();
    // the model's own manager is empty (the parameters live on the manager given to create/load)
    model.close();
  }
}
