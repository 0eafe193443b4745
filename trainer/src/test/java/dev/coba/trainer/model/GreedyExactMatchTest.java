package dev.coba.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.coba.trainer.data.Batch;
import dev.coba.trainer.data.Batches;
import dev.coba.trainer.data.BuiltInTasks;
import dev.coba.trainer.data.ByteVocabulary;
import dev.coba.trainer.data.Example;
import dev.coba.trainer.data.TaskData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Evaluator#score}'s exact match is the exact match of real greedy decoding: a briefly
 * trained model, some answers right and some wrong, decoded token by token here and compared.
 */
class GreedyExactMatchTest {

  @Test
  void teacherForcedExactMatchIsGreedyDecodingsExactMatch() {
    TaskData copy = BuiltInTasks.generate(1).get(0);
    // a constant answer the model learns in a few dozen steps, next to copy, which it does not
    List<Example> ok = new ArrayList<>();
    for (Example e : copy.train().subList(0, 200)) {
      ok.add(Example.promptCompletion(e.targetText(), "ok", 64));
    }
    TaskData constant =
        new TaskData("ok", ok.subList(0, 160), ok.subList(160, 180), ok.subList(180, 200));
    List<TaskData> tasks = List.of(copy, constant);
    try (NDManager manager = NDManager.newBaseManager()) {
      CausalLm lm = CausalLm.create(new ModelConfig(2, 32, 2, 40, 5), manager);
      Batches batches = new Batches(tasks, 8, 3);
      try (TrainStep step = new TrainStep(lm, 2, Objective.LINEAR, 3e-3f, 1f)) {
        for (int s = 0; s < 80; s++) {
          step.step(batches.nextTrain(), new double[] {0.5, 0.5});
        }
      }
      List<Example> test = new ArrayList<>(copy.test().subList(0, 20));
      test.addAll(constant.test());
      List<Batch> pass = new ArrayList<>(Batches.miniBatches(copy.test().subList(0, 20), 0, 7));
      pass.addAll(Batches.miniBatches(constant.test(), 1, 7));
      AnswerScores scores = Evaluator.score(lm, manager, pass, 2).answers();

      int[] greedyExact = new int[2];
      for (int i = 0; i < test.size(); i++) {
        if (greedyAnswerIsExact(lm, manager, test.get(i))) {
          greedyExact[i < 20 ? 0 : 1]++;
        }
      }
      assertTrue(
          greedyExact[1] > 0 && greedyExact[1] <= 20,
          "the constant task is learnt: " + greedyExact[1]);
      assertEquals(greedyExact[0] / 20.0, scores.exactMatch(0));
      assertEquals(greedyExact[1] / 20.0, scores.exactMatch(1));
    }
  }

  /** Decodes after the prompt's SEP one most likely token at a time; exact when it gives the completion and EOS. */
  private static boolean greedyAnswerIsExact(CausalLm lm, NDManager manager, Example e) {
    int start = 0;
    while (!e.counts(start)) {
      start++;
    }
    int[] reference = Arrays.copyOfRange(e.ids(), start, e.length());
    List<Integer> sequence = new ArrayList<>();
    for (int i = 0; i < start; i++) {
      sequence.add(e.id(i));
    }
    List<Integer> generated = new ArrayList<>();
    while (generated.size() < reference.length) {
      try (NDManager sm = manager.newSubManager()) {
        int[] ids = sequence.stream().mapToInt(Integer::intValue).toArray();
        NDArray logits = lm.logits(sm.create(ids, new Shape(1, ids.length)));
        int next = (int) logits.get(0, ids.length - 1).argMax().toLongArray()[0];
        generated.add(next);
        sequence.add(next);
        if (next == ByteVocabulary.EOS) {
          break;
        }
      }
    }
    return Arrays.equals(reference, generated.stream().mapToInt(Integer::intValue).toArray());
  }
}
