package dev.coba.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.coba.trainer.data.Batches;
import dev.coba.trainer.data.BuiltInTasks;
import dev.coba.trainer.data.TaskData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our Adam against DJL's, its save/load, and the head gradient norms against autograd. */
class ResumableAdamTest {
  private static final List<TaskData> TASKS = BuiltInTasks.generate(3).subList(0, 3);
  private static final ModelConfig TINY = new ModelConfig(1, 32, 2, 40, 5);
  private static final double[] WEIGHTS = {0.5, 0.3, 0.2};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static float[] flat(CausalLm lm) {
    List<Float> all = new ArrayList<>();
    lm.getParameters()
        .values()
        .forEach(
            p -> {
              for (float f : p.getArray().toFloatArray()) {
                all.add(f);
              }
            });
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  @Test
  void givesTheSameWeightsAsDjlsAdam() {
    Batches data = new Batches(TASKS, 4, 2);
    List<Batch> batches =
        List.of(data.nextTrain(), data.nextTrain(), data.nextTrain(), data.nextTrain());
    CausalLm ours = CausalLm.create(TINY, manager);
    try (TrainStep step = new TrainStep(ours, 3, Objective.LINEAR, 3e-3f, 0.5f)) {
      batches.forEach(b -> step.step(b, WEIGHTS));
      assertEquals(4, step.updates());
    }
    CausalLm theirs = CausalLm.create(TINY, manager);
    try (Model model = Model.newInstance("reference")) {
      model.setBlock(theirs);
      DefaultTrainingConfig cfg =
          new DefaultTrainingConfig(Loss.l2Loss())
              .optOptimizer(
                  Adam.builder()
                      .optLearningRateTracker(Tracker.fixed(3e-3f))
                      .optClipGrad(0.5f)
                      .build());
      try (Trainer trainer = model.newTrainer(cfg)) {
        for (Batch b : batches) {
          try (NDManager sm = trainer.getManager().newSubManager()) {
            TaskWeightedLoss loss = new TaskWeightedLoss(sm, b, 3);
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDArray logits = trainer.forward(new NDList(loss.inputs())).get(0);
              gc.backward(
                  TaskWeightedLoss.objective(
                      loss.perTask(loss.perExample(logits)), WEIGHTS, Objective.LINEAR));
            }
            trainer.step();
          }
        }
      }
    }
    assertArrayEquals(flat(theirs), flat(ours));
  }

  @Test
  void aReloadedOptimizerContinuesIdentically(@TempDir Path dir) throws IOException {
    Batches data = new Batches(TASKS, 4, 9);
    List<Batch> batches = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      batches.add(data.nextTrain());
    }
    CausalLm straight = CausalLm.create(TINY, manager);
    List<double[]> straightLosses = new ArrayList<>();
    try (TrainStep step = new TrainStep(straight, 3, Objective.LINEAR, 3e-3f, 1f)) {
      batches.forEach(b -> straightLosses.add(step.step(b, WEIGHTS)));
    }
    CausalLm first = CausalLm.create(TINY, manager);
    try (TrainStep step = new TrainStep(first, 3, Objective.LINEAR, 3e-3f, 1f)) {
      batches.subList(0, 3).forEach(b -> step.step(b, WEIGHTS));
      first.save(dir);
      step.saveOptimizer(dir);
    }
    CausalLm resumed = CausalLm.load(dir, manager);
    try (TrainStep step = new TrainStep(resumed, 3, Objective.LINEAR, 3e-3f, 1f)) {
      step.loadOptimizer(dir);
      assertEquals(3, step.updates());
      for (int i = 3; i < 6; i++) {
        assertArrayEquals(straightLosses.get(i), step.step(batches.get(i), WEIGHTS), "step " + i);
      }
    }
    assertArrayEquals(flat(straight), flat(resumed));
  }

  @Test
  void headGradientNormsEqualAutograd() {
    Batch batch = new Batches(TASKS, 3, 4).nextTrain();
    CausalLm lm = CausalLm.create(TINY, manager);
    double[] analytic;
    try (TrainStep step = new TrainStep(lm, 3, Objective.LINEAR, 1e-9f, 1f)) {
      // a negligible update: the norms are of the forward before it
      analytic = step.step(batch, WEIGHTS, true).headGradNorms();
    }
    CausalLm fresh = CausalLm.create(TINY, manager);
    for (int k = 0; k < 3; k++) {
      try (NDManager sm = manager.newSubManager()) {
        fresh.getParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
        TaskWeightedLoss loss = new TaskWeightedLoss(sm, batch, 3);
        try (GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
          gc.zeroGradients();
          NDArray logits =
              fresh
                  .forward(
                      new ai.djl.training.ParameterStore(sm, false),
                      new NDList(loss.inputs()),
                      true)
                  .get(0);
          gc.backward(loss.perTask(loss.perExample(logits))[k]);
        }
        double autograd = fresh.head().getArray().getGradient().norm().getFloat();
        assertTrue(
            Math.abs(autograd - analytic[k]) <= 1e-4 * autograd,
            "task " + k + ": autograd " + autograd + ", analytic " + analytic[k]);
      }
    }
  }
}
