package dev.coba.trainer.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.tracker.Tracker;
import dev.coba.trainer.data.Batch;

/**
 * One optimisation step on a {@link CausalLm}: one forward pass over a batch with every task,
 * per-task mean losses, the weighted objective, backward, and an Adam update. Holds a DJL
 * {@link Trainer} (and thereby Adam's moments) for the life of a run; close it at the end.
 *
 * <p>Adam clips each gradient element to ±{@code clip} (DJL's {@code optClipGrad} is element-wise,
 * not norm clipping): with it the spike's runs stayed finite where an unclipped lr 3e-3 went NaN.
 * Adam's moments are not part of {@link CausalLm#save}: a resumed run restarts them.
 */
public final class TrainStep implements AutoCloseable {
    private final CausalLm lm;
    private final int tasks;
    private final Objective objective;
    private final Model model;
    private final Trainer trainer;

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
            throw new IllegalArgumentException("the model is not initialised: use CausalLm.create or load");
        }
        // a loaded parameter (Parameter.load decodes a fresh array) may not carry a gradient yet
        lm.getParameters().values().forEach(p -> {
            if (p.requiresGradient() && !p.getArray().hasGradient()) {
                p.getArray().setRequiresGradient(true);
            }
        });
        this.lm = lm;
        this.tasks = tasks;
        this.objective = objective;
        this.model = Model.newInstance("causal-lm");
        model.setBlock(lm);
        // the config's Loss is never called: the loss is TaskWeightedLoss's objective
        DefaultTrainingConfig cfg = new DefaultTrainingConfig(Loss.l2Loss())
                .optOptimizer(Adam.builder().optLearningRateTracker(Tracker.fixed(learningRate))
                        .optClipGrad(clip).build());
        // no trainer.initialize(): the block already holds its (seeded or loaded) weights
        this.trainer = model.newTrainer(cfg);
    }

    public CausalLm model() {
        return lm;
    }

    /**
     * Trains on {@code batch} with {@code weights} (task order, non-negative; a task absent from
     * the batch is ignored) and returns the per-task mean losses before the update (NaN for an
     * absent task): the training losses of this step.
     */
    public double[] step(Batch batch, double[] weights) {
        if (weights.length != tasks) {
            throw new IllegalArgumentException(weights.length + " weights for " + tasks + " tasks");
        }
        // every array of the step lives here and is freed with it
        try (NDManager sm = trainer.getManager().newSubManager()) {
            TaskWeightedLoss loss = new TaskWeightedLoss(sm, batch, tasks);
            double[] out;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList fwd = trainer.forward(new NDList(loss.inputs()));
                NDArray[] perTask = loss.perTask(loss.perExample(fwd.get(0)));
                gc.backward(TaskWeightedLoss.objective(perTask, weights, objective));
                out = TaskWeightedLoss.toDoubles(perTask);
            }
            trainer.step(); // Adam update; also zeroes the gradients for the next step
            return out;
        }
    }

    @Override
    public void close() {
        trainer.close();
        // the model's own manager is empty (the parameters live on the manager given to create/load)
        model.close();
    }
}
