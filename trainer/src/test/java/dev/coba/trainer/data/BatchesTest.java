package dev.coba.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchesTest {
  private static final List<TaskData> TASKS = BuiltInTasks.generate(1);

  @Test
  void padsToTheLongestWithPadAndFalseMask() {
    Example shortOne = Example.promptCompletion("a", "b", 100); // BOS a SEP b EOS
    Example longOne = Example.text("hello", 100); // BOS h e l l o EOS
    Batch b = Batches.pad(List.of(shortOne, longOne), new int[] {3, 1});
    assertEquals(2, b.rows());
    assertEquals(7, b.length());
    int pad = ByteVocabulary.PAD;
    assertArrayEquals(
        new int[] {ByteVocabulary.BOS, 'a', ByteVocabulary.SEP, 'b', ByteVocabulary.EOS, pad, pad},
        b.ids()[0]);
    assertArrayEquals(new boolean[] {false, false, false, true, true, false, false}, b.mask()[0]);
    assertArrayEquals(longOne.ids(), b.ids()[1]);
    assertArrayEquals(longOne.mask(), b.mask()[1]);
    assertArrayEquals(new int[] {3, 1}, b.taskOfRow());
  }

  @Test
  void trainBatchHasEveryTaskWithDistinctSampledExamples() {
    Batches batches = new Batches(TASKS, 4, 7);
    for (int step = 0; step < 20; step++) {
      Batch b = batches.nextTrain();
      assertEquals(TASKS.size() * 4, b.rows());
      for (int r = 0; r < b.rows(); r++) {
        int t = r / 4;
        assertEquals(t, b.taskOfRow()[r]);
        Example e = rowAsExample(b, r);
        assertTrue(
            TASKS.get(t).train().contains(e),
            "row " + r + " comes from task " + t + "'s train split");
      }
      for (int t = 0; t < TASKS.size(); t++) {
        Set<Example> distinct = new HashSet<>();
        for (int r = t * 4; r < t * 4 + 4; r++) {
          distinct.add(rowAsExample(b, r));
        }
        assertEquals(4, distinct.size());
      }
    }
  }

  @Test
  void deterministicBySeed() {
    Batches a = new Batches(TASKS, 3, 11);
    Batches b = new Batches(TASKS, 3, 11);
    Batches c = new Batches(TASKS, 3, 12);
    boolean differs = false;
    for (int step = 0; step < 5; step++) {
      Batch x = a.nextTrain();
      Batch y = b.nextTrain();
      Batch z = c.nextTrain();
      assertTrue(Arrays.deepEquals(x.ids(), y.ids()));
      assertTrue(Arrays.deepEquals(x.mask(), y.mask()));
      differs |= !Arrays.deepEquals(x.ids(), z.ids());
    }
    assertTrue(differs);
  }

  @Test
  void aStepsBatchDependsOnTheStepAloneSoAResumedRunDrawsTheSame() {
    Batches straight = new Batches(TASKS, 3, 5);
    List<Batch> drawn = new ArrayList<>();
    for (int step = 0; step < 6; step++) {
      drawn.add(straight.nextTrain());
    }
    Batches resumed = new Batches(TASKS, 3, 5);
    for (int step = 5; step >= 0; step--) {
      assertTrue(
          Arrays.deepEquals(drawn.get(step).ids(), resumed.trainBatch(step).ids()), "step " + step);
    }
  }

  @Test
  void samplingIsUniformOverATasksExamples() {
    TaskData small = TASKS.get(4); // lookup: 64 training examples
    Batches batches = new Batches(List.of(small), 8, 3);
    Map<Example, Integer> counts = new HashMap<>();
    int steps = 4000;
    for (int step = 0; step < steps; step++) {
      Batch b = batches.trainBatch(step);
      for (int r = 0; r < b.rows(); r++) {
        counts.merge(rowAsExample(b, r), 1, Integer::sum);
      }
    }
    assertEquals(small.train().size(), counts.size());
    double expected = steps * 8.0 / small.train().size(); // 500
    // binomial sd ~ 21: 5 sd either side
    counts
        .values()
        .forEach(
            c -> assertTrue(Math.abs(c - expected) < 110, c + " draws, expected ~" + expected));
  }

  @Test
  void miniBatchesCoverTheSplitInOrder() {
    List<Example> valid = TASKS.get(0).valid(); // 200 examples
    List<Batch> batches = Batches.miniBatches(valid, 2, 64);
    assertEquals(4, batches.size());
    assertEquals(8, batches.get(3).rows());
    List<Example> seen = new ArrayList<>();
    for (Batch b : batches) {
      assertTrue(Arrays.stream(b.taskOfRow()).allMatch(t -> t == 2));
      for (int r = 0; r < b.rows(); r++) {
        seen.add(rowAsExample(b, r));
      }
    }
    assertEquals(valid, seen);
  }

  @Test
  void aTrainSplitSmallerThanABatchGivesEveryExampleOnceAndTheRestDrawnAgain() {
    TaskData tiny =
        new TaskData(
            "tiny",
            TASKS.get(0).train().subList(0, 3),
            TASKS.get(0).valid().subList(0, 1),
            TASKS.get(0).test().subList(0, 1));
    Batches batches = new Batches(List.of(TASKS.get(1), tiny), 8, 5);
    for (int step = 0; step < 20; step++) {
      Batch b = batches.trainBatch(step);
      assertEquals(16, b.rows(), "every task keeps its 8 rows");
      Map<Example, Integer> counts = new HashMap<>();
      for (int r = 8; r < 16; r++) {
        assertEquals(1, b.taskOfRow()[r]);
        counts.merge(rowAsExample(b, r), 1, Integer::sum);
      }
      assertEquals(Set.copyOf(tiny.train()), counts.keySet(), "each of the 3 at least once");
      assertEquals(8, counts.values().stream().mapToInt(Integer::intValue).sum());
    }
    assertTrue(
        Arrays.deepEquals(
            batches.trainBatch(7).ids(),
            new Batches(List.of(TASKS.get(1), tiny), 8, 5).trainBatch(7).ids()),
        "still a function of (seed, step)");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Batches(
                List.of(new TaskData("empty", List.of(), tiny.valid(), tiny.test())), 8, 5));
  }

  @Test
  void aValidationDrawShrinksToTheSplit() {
    List<Example> one = TASKS.get(0).valid().subList(0, 1);
    Batch b = Batches.sample(List.of(TASKS.get(0).valid(), one), 8, 3, 10);
    assertEquals(9, b.rows());
    assertEquals(one.get(0), rowAsExample(b, 8));
    assertFalse(Batches.miniBatches(List.of(), 0, 4).iterator().hasNext());
  }

  /** The row without its padding. */
  private static Example rowAsExample(Batch b, int r) {
    int n = 0;
    while (n < b.length() && b.ids()[r][n] != ByteVocabulary.PAD) {
      n++;
    }
    for (int i = n; i < b.length(); i++) {
      assertEquals(ByteVocabulary.PAD, b.ids()[r][i]);
      assertFalse(b.mask()[r][i]);
    }
    return new Example(Arrays.copyOf(b.ids()[r], n), Arrays.copyOf(b.mask()[r], n));
  }
}
