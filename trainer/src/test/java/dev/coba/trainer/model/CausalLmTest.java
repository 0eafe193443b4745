package dev.coba.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.coba.trainer.data.Batch;
import dev.coba.trainer.data.Batches;
import dev.coba.trainer.data.BuiltInTasks;
import dev.coba.trainer.data.TaskData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny model (1–2 layers, d=32) on the built-in tasks: seconds per test on a 2-core CPU. */
class CausalLmTest {
  private static final List<TaskData> TASKS = BuiltInTasks.generate(1);
  private static final ModelConfig TINY = new ModelConfig(2, 32, 2, 40, 7);
  private static final float LR = 3e-3f;
  private static final float CLIP = 1f;

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  private static double[] uniform(int k) {
    double[] w = new double[k];
    Arrays.fill(w, 1.0 / k);
    return w;
  }

  private static double mean(List<double[]> rows) {
    return rows.stream().flatMapToDouble(Arrays::stream).average().orElseThrow();
  }

  private static List<Batch> validation(List<TaskData> tasks, int size) {
    List<Batch> out = new ArrayList<>();
    for (int k = 0; k < tasks.size(); k++) {
      out.addAll(Batches.miniBatches(tasks.get(k).valid().subList(0, size), k, size));
    }
    return out;
  }

  @Test
  void lossFallsOnTheBuiltInTasks() {
    List<TaskData> tasks = TASKS.subList(0, 3); // copy, reverse, sort
    CausalLm lm = CausalLm.create(TINY, manager);
    Batches batches = new Batches(tasks, 4, 11);
    List<Batch> valid = validation(tasks, 16);
    double[] before = Evaluator.evaluate(lm, manager, valid, tasks.size());
    List<double[]> losses = new ArrayList<>();
    try (TrainStep step = new TrainStep(lm, tasks.size(), Objective.LINEAR, LR, CLIP)) {
      for (int s = 0; s < 80; s++) {
        losses.add(step.step(batches.nextTrain(), uniform(tasks.size())));
      }
    }
    double first = mean(losses.subList(0, 10));
    double last = mean(losses.subList(70, 80));
    assertTrue(last < 0.75 * first, "first 10 steps " + first + ", last 10 " + last);
    double[] after = Evaluator.evaluate(lm, manager, valid, tasks.size());
    for (int k = 0; k < tasks.size(); k++) {
      assertTrue(
          after[k] < 0.8 * before[k], tasks.get(k).name() + ": " + before[k] + " -> " + after[k]);
    }
  }

  /** The rows of {@code task} with every lowercase letter rot13'd: same shape and mask, other content. */
  private static Batch scramble(Batch b, int task) {
    int[][] ids = new int[b.rows()][];
    for (int r = 0; r < b.rows(); r++) {
      ids[r] = b.ids()[r].clone();
      if (b.taskOfRow()[r] == task) {
        for (int i = 0; i < ids[r].length; i++) {
          if (ids[r][i] >= 'a' && ids[r][i] <= 'z') {
            ids[r][i] = 'a' + (ids[r][i] - 'a' + 13) % 26;
          }
        }
      }
    }
    return new Batch(ids, b.mask(), b.taskOfRow());
  }

  /** Trains 15 steps on copy+reverse, reverse's rows scrambled or not; returns copy's losses. */
  private double[] copyLosses(double[] weights, boolean scrambleReverse) {
    List<TaskData> tasks = TASKS.subList(0, 2);
    Batches batches = new Batches(tasks, 4, 5);
    double[] copy = new double[15];
    try (NDManager m = NDManager.newBaseManager();
        TrainStep step = new TrainStep(CausalLm.create(TINY, m), 2, Objective.LINEAR, LR, CLIP)) {
      for (int s = 0; s < copy.length; s++) {
        Batch b = batches.nextTrain();
        copy[s] = step.step(scrambleReverse ? scramble(b, 1) : b, weights)[0];
      }
    }
    return copy;
  }

  @Test
  void aZeroWeightedTaskDoesNotMoveTheParameters() {
    // weight 0 on reverse: what its rows contain cannot change what the model learns,
    // so copy's losses are the same whether reverse's rows are scrambled or not ...
    double[] w = {1, 0};
    // bit for bit: same shapes, and the weight-0 rows add exact zeros to every gradient
    assertArrayEquals(copyLosses(w, false), copyLosses(w, true), 0.0);
    // ... while with weight 1 the same scrambling changes them (the test can see a difference)
    double[] both = {1, 1};
    double[] plain = copyLosses(both, false);
    double[] scrambled = copyLosses(both, true);
    assertEquals(plain[0], scrambled[0], 1e-6); // the first loss is before any update
    double diff = 0;
    for (int s = 1; s < plain.length; s++) {
      diff = Math.max(diff, Math.abs(plain[s] - scrambled[s]));
    }
    assertTrue(diff > 1e-3, "max difference " + diff);
  }

  @Test
  void fixedSeedGivesIdenticalRuns() {
    List<TaskData> tasks = TASKS;
    double[][] runs = new double[2][];
    for (int run = 0; run < 2; run++) {
      Batches batches = new Batches(tasks, 2, 3);
      List<double[]> losses = new ArrayList<>();
      try (NDManager m = NDManager.newBaseManager();
          TrainStep step =
              new TrainStep(CausalLm.create(TINY, m), tasks.size(), Objective.LOG, LR, CLIP)) {
        for (int s = 0; s < 5; s++) {
          losses.add(step.step(batches.nextTrain(), new double[] {0.3, 0.1, 0.2, 0.25, 0.15}));
        }
      }
      runs[run] = losses.stream().flatMapToDouble(Arrays::stream).toArray();
    }
    assertArrayEquals(runs[0], runs[1], 0.0);
    assertTrue(Arrays.stream(runs[0]).allMatch(Double::isFinite));
    // another seed, other weights
    try (NDManager m = NDManager.newBaseManager()) {
      ModelConfig other = new ModelConfig(2, 32, 2, 40, 8);
      double[] l =
          Evaluator.evaluate(
              CausalLm.create(other, m),
              m,
              List.of(new Batches(tasks, 2, 3).nextTrain()),
              tasks.size());
      assertNotEquals(runs[0][0], l[0]);
    }
  }

  @Test
  void evaluatorAgreesWithTheTrainingForward() {
    List<TaskData> tasks = TASKS;
    Batch b = new Batches(tasks, 3, 9).nextTrain();
    CausalLm lm = CausalLm.create(TINY, manager);
    double[] eval = Evaluator.evaluate(lm, manager, List.of(b), tasks.size());
    try (TrainStep step = new TrainStep(lm, tasks.size(), Objective.LINEAR, LR, CLIP)) {
      assertArrayEquals(eval, step.step(b, uniform(tasks.size())), 1e-5);
      // a task absent from a batch: NaN, and its weight does not matter
      Batch onlyCopy = Batches.miniBatches(tasks.get(0).valid().subList(0, 4), 0, 4).get(0);
      double[] l = step.step(onlyCopy, new double[] {1, 5, 0, 0, 0});
      assertTrue(Double.isFinite(l[0]) && Double.isNaN(l[1]));
      assertThrows(IllegalArgumentException.class, () -> step.step(onlyCopy, new double[] {1, 1}));
      assertThrows(
          IllegalArgumentException.class, () -> step.step(onlyCopy, new double[] {-1, 0, 0, 0, 0}));
    }
    // an untrained byte LM starts near ln 260 = 5.56
    for (double l : eval) {
      assertTrue(l > 4.5 && l < 6.5, "initial loss " + l);
    }
  }

  @Test
  void saveAndLoadGiveIdenticalLogits(@TempDir Path dir) throws IOException {
    List<TaskData> tasks = TASKS;
    Batches batches = new Batches(tasks, 2, 4);
    CausalLm lm = CausalLm.create(TINY, manager);
    try (TrainStep step = new TrainStep(lm, tasks.size(), Objective.LINEAR, LR, CLIP)) {
      for (int s = 0; s < 3; s++) {
        step.step(batches.nextTrain(), uniform(tasks.size()));
      }
    }
    lm.save(dir);
    Batch b = batches.nextTrain();
    try (NDManager other = NDManager.newBaseManager()) {
      CausalLm loaded = CausalLm.load(dir, other);
      assertEquals(TINY, loaded.config());
      float[] a = logits(lm, manager, b);
      float[] c = logits(loaded, other, b);
      assertArrayEquals(a, c, 0f);
      // the loaded model trains on (its parameters take gradients)
      try (TrainStep step = new TrainStep(loaded, tasks.size(), Objective.LINEAR, LR, CLIP)) {
        assertTrue(Arrays.stream(step.step(b, uniform(tasks.size()))).allMatch(Double::isFinite));
      }
      assertFalse(Arrays.equals(a, logits(loaded, other, b)), "one step changed nothing");
    }
  }

  private static float[] logits(CausalLm lm, NDManager m, Batch b) {
    try (NDManager sm = m.newSubManager()) {
      int[] flat = Arrays.stream(b.ids()).flatMapToInt(Arrays::stream).toArray();
      NDArray ids = sm.create(flat, new Shape(b.rows(), b.length()));
      return lm.logits(ids).toFloatArray();
    }
  }
}
