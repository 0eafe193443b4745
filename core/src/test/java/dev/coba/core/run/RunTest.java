package dev.coba.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.Balancer;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TASKS = List.of("a", "b", "c");
  private static final Map<String, Object> PARAMS = Map.of("warmupSteps", 3, "historyLength", 6);

  private static RunSpec spec(int worldSize) {
    return new RunSpec("run-1", TASKS, "coba", PARAMS, worldSize, Map.of());
  }

  /** A plausible run's losses: steps 1..n, every task present. */
  private static List<Report> reports(int n, long seed) {
    Random rnd = new Random(seed);
    List<Report> out = new ArrayList<>();
    for (int s = 1; s <= n; s++) {
      out.add(
          Report.of(
              s,
              Map.of(
                  "a", 2 * Math.exp(-0.02 * s) * (1 + 0.01 * rnd.nextGaussian()),
                  "b", 3 * Math.exp(-0.005 * s) * (1 + 0.01 * rnd.nextGaussian()),
                  "c", 1 + 0.002 * s * s / 100 + 0.01 * rnd.nextGaussian())));
    }
    return out;
  }

  @Test
  void oneRankGivesTheMethodsOwnNumbers() {
    Run run = Run.create(spec(1), 1000);
    Balancer direct = Methods.create("coba", TASKS, PARAMS, Map.of());
    for (Report r : reports(80, 1)) {
      StepOutcome.Complete c =
          assertInstanceOf(StepOutcome.Complete.class, run.submit(RankReport.of(r)));
      assertArrayEquals(direct.update(r).weights().values(), c.weights().values(), 0.0);
    }
    assertEquals(80L, run.lastStep());
  }

  @Test
  void ranksAreCombinedByTheirMeanWhateverTheirOrder() {
    Run inOrder = Run.create(spec(2), 1000);
    Run reversed = Run.create(spec(2), 1000);
    Balancer direct = Methods.create("coba", TASKS, PARAMS, Map.of());
    for (Report r : reports(40, 2)) {
      Map<String, Double> l = r.valLosses();
      // rank 0 sees losses 10% lower, rank 1 10% higher, and only rank 1 reports task c
      RankReport r0 =
          new RankReport(
              r.step(), 0, Map.of("a", 0.9 * l.get("a"), "b", 0.9 * l.get("b")), null, null, null);
      RankReport r1 =
          new RankReport(
              r.step(),
              1,
              Map.of("a", 1.1 * l.get("a"), "b", 1.1 * l.get("b"), "c", l.get("c")),
              null,
              null,
              null);
      StepOutcome p = inOrder.submit(r0);
      assertEquals(new StepOutcome.Pending(r.step(), 1, 2), p);
      StepOutcome.Complete c1 = assertInstanceOf(StepOutcome.Complete.class, inOrder.submit(r1));
      reversed.submit(r1);
      StepOutcome.Complete c2 = assertInstanceOf(StepOutcome.Complete.class, reversed.submit(r0));
      assertArrayEquals(c1.weights().values(), c2.weights().values(), 0.0);
      double[] expected =
          direct
              .update(
                  Report.of(
                      r.step(),
                      Map.of(
                          "a",
                          (0.9 * l.get("a") + 1.1 * l.get("a")) / 2,
                          "b",
                          (0.9 * l.get("b") + 1.1 * l.get("b")) / 2,
                          "c",
                          l.get("c"))))
              .weights()
              .values();
      assertArrayEquals(expected, c1.weights().values(), 1e-12);
      // a retry of either rank gets the same answer
      assertEquals(c1, inOrder.submit(r0));
    }
  }

  @Test
  void countsWeightTheMean() {
    Run run = Run.create(new RunSpec("r", List.of("a"), "uniform", Map.of(), 2, Map.of()), 10);
    run.submit(new RankReport(1, 0, Map.of("a", 1.0), null, null, Map.of("a", 3.0)));
    run.submit(new RankReport(1, 1, Map.of("a", 3.0), null, null, Map.of("a", 1.0)));
    // (3 * 1 + 1 * 3) / 4 = 1.5
    assertEquals(1.5, run.history(0, 10).get(1L).combined().valLosses().get("a"), 0.0);
  }

  /**
   * Losses finite per rank whose combination overflows (issue 11, item 7): the report that
   * would complete the step is refused before anything changes, every time it is retried, the
   * pending report stays, and the run's checkpoint restores.
   */
  @Test
  void aReportWhoseCombinationOverflowsIsRefusedBeforeAnythingChanges() throws Exception {
    Run run = Run.create(spec(2), 1000);
    RankReport r0 = new RankReport(1, 0, Map.of("a", 1e308, "b", 1.0), null, null, null);
    RankReport r1 = new RankReport(1, 1, Map.of("a", 1e308, "b", 1.0), null, null, null);
    assertEquals(new StepOutcome.Pending(1, 1, 2), run.submit(r0));
    String before = JSON.writeValueAsString(run.exportState());
    for (int attempt = 0; attempt < 3; attempt++) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> run.answerIfRepeat(r1));
      assertEquals("valLosses.a", e.field(), e.getMessage());
      assertTrue(
          e.getMessage().contains("step 1") && e.getMessage().contains("ranks"), e.getMessage());
      assertEquals(before, JSON.writeValueAsString(run.exportState()));
      assertEquals(new StepOutcome.Pending(1, 1, 2), run.submit(r0), "the pending report stays");
    }
    Run restored = Run.restore(run.exportState(), 1000);
    assertEquals(Map.of(1L, 1), restored.pendingSteps());
    RankReport fine = new RankReport(1, 1, Map.of("a", 1.0, "b", 1.0), null, null, null);
    assertEquals(run.submit(fine), restored.submit(fine));
  }

  @Test
  void countsWhoseSumOverflowsAreRefused() {
    Run run = Run.create(new RunSpec("r", List.of("a"), "uniform", Map.of(), 2, Map.of()), 10);
    run.submit(new RankReport(1, 0, Map.of("a", 1e-10), null, null, Map.of("a", 1e308)));
    // each product is finite, the sum of the counts is not: the mean would silently be 0
    RankReport r1 = new RankReport(1, 1, Map.of("a", 1e-10), null, null, Map.of("a", 1e308));
    assertEquals(
        "counts.a", assertThrows(InvalidInputException.class, () -> run.submit(r1)).field());
    assertEquals(Map.of(1L, 1), run.pendingSteps());
  }

  @Test
  void retriesAreIdempotentAndConflictsChangeNothing() throws Exception {
    Run run = Run.create(spec(2), 1000);
    RankReport r0 = new RankReport(5, 0, Map.of("a", 1.0, "b", 1.0, "c", 1.0), null, null, null);
    RankReport r1 = new RankReport(5, 1, Map.of("a", 1.2, "b", 1.0, "c", 1.0), null, null, null);
    assertNull(run.answerIfRepeat(r0));
    run.accept(r0);
    assertEquals(new StepOutcome.Pending(5, 1, 2), run.answerIfRepeat(r0));
    String before = JSON.writeValueAsString(run.exportState());
    RankReport changed =
        new RankReport(5, 0, Map.of("a", 9.0, "b", 1.0, "c", 1.0), null, null, null);
    assertEquals(
        "step",
        assertThrows(RunConflictException.class, () -> run.answerIfRepeat(changed)).field());
    assertEquals(
        "rank",
        assertThrows(
                InvalidInputException.class,
                () -> run.answerIfRepeat(new RankReport(5, 2, Map.of("a", 1.0), null, null, null)))
            .field());
    assertEquals(
        "counts.a",
        assertThrows(
                InvalidInputException.class,
                () ->
                    run.answerIfRepeat(
                        new RankReport(5, 1, Map.of("a", 1.0), null, null, Map.of("a", 0.0))))
            .field());
    assertEquals(
        "valLosses.zz",
        assertThrows(
                InvalidInputException.class,
                () -> run.answerIfRepeat(new RankReport(5, 1, Map.of("zz", 1.0), null, null, null)))
            .field());
    assertEquals(before, JSON.writeValueAsString(run.exportState()));
    StepOutcome done = run.submit(r1);
    assertInstanceOf(StepOutcome.Complete.class, done);
    assertEquals(done, run.submit(r1));
    assertEquals(done, run.submit(r0));
    RankReport lower = new RankReport(4, 0, Map.of("a", 1.0), null, null, null);
    assertThrows(RunConflictException.class, () -> run.answerIfRepeat(lower));
    assertEquals(done, run.outcome(5));
    assertNull(run.outcome(6));
  }

  @Test
  void aLowerPendingStepIsDroppedWhenAHigherOneCompletes() {
    Run run = Run.create(spec(2), 1000);
    run.submit(new RankReport(1, 0, Map.of("a", 1.0, "b", 1.0, "c", 1.0), null, null, null));
    run.submit(new RankReport(2, 0, Map.of("a", 1.0, "b", 1.0, "c", 1.0), null, null, null));
    run.submit(new RankReport(2, 1, Map.of("a", 1.0, "b", 1.0, "c", 1.0), null, null, null));
    assertEquals(Map.of(), run.pendingSteps());
    assertThrows(
        RunConflictException.class,
        () -> run.answerIfRepeat(new RankReport(1, 1, Map.of("a", 1.0), null, null, null)));
  }

  @Test
  void rewindAnswersAsARunThatNeverSawTheDroppedSteps() {
    List<Report> crashed = reports(120, 3);
    List<Report> resumed = reports(120, 4); // after the rewind the trainer sees other losses
    for (int history : new int[] {1000, 30}) {
      Run run = Run.create(spec(1), history);
      crashed.forEach(r -> run.submit(RankReport.of(r)));
      run.rewind(100);
      assertEquals(100L, run.lastStep());
      Run clean = Run.create(spec(1), history);
      crashed.subList(0, 100).forEach(r -> clean.submit(RankReport.of(r)));
      assertEquals(clean.weights(), run.weights());
      for (Report r : resumed.subList(100, 120)) {
        assertEquals(clean.submit(RankReport.of(r)), run.submit(RankReport.of(r)));
      }
    }
    Run shortHistory = Run.create(spec(1), 10);
    crashed.forEach(r -> shortHistory.submit(RankReport.of(r)));
    RunConflictException e =
        assertThrows(RunConflictException.class, () -> shortHistory.rewind(50));
    assertTrue(e.getMessage().contains("retained"), e.getMessage());
  }

  @Test
  void exportAndRestoreContinueBitIdentically() throws Exception {
    for (int history : new int[] {1000, 7}) {
      List<Report> all = reports(90, 5);
      Run run = Run.create(spec(2), history);
      Run straight = Run.create(spec(2), history);
      for (Report r : all.subList(0, 60)) {
        for (Run x : List.of(run, straight)) {
          x.submit(new RankReport(r.step(), 0, r.valLosses(), null, null, null));
          x.submit(new RankReport(r.step(), 1, r.valLosses(), null, null, null));
        }
      }
      run.submit(
          new RankReport(61, 0, all.get(60).valLosses(), null, null, null)); // one pending rank
      straight.submit(new RankReport(61, 0, all.get(60).valLosses(), null, null, null));
      String json = JSON.writeValueAsString(run.exportState());
      Run restored = Run.restore(JSON.readValue(json, RunState.class), history);
      assertEquals(json, JSON.writeValueAsString(restored.exportState()));
      for (Report r : all.subList(60, 90)) {
        if (r.step() > 61) {
          assertEquals(
              straight.submit(new RankReport(r.step(), 0, r.valLosses(), null, null, null)),
              restored.submit(new RankReport(r.step(), 0, r.valLosses(), null, null, null)));
        }
        assertEquals(
            straight.submit(new RankReport(r.step(), 1, r.valLosses(), null, null, null)),
            restored.submit(new RankReport(r.step(), 1, r.valLosses(), null, null, null)));
      }
    }
  }

  @Test
  void historyIsBounded() {
    Run run = Run.create(spec(1), 25);
    reports(100, 6).forEach(r -> run.submit(RankReport.of(r)));
    assertEquals(25, run.history(0, Long.MAX_VALUE).size());
    assertEquals(76L, run.history(0, Long.MAX_VALUE).firstKey());
    assertEquals(25, run.exportState().reports().size());
    assertNull(run.outcome(10));
  }

  @Test
  void warmupCountsReportsThroughEvictionRewindAndRestore() throws Exception {
    // a report every 50 steps, warmupSteps 3: uniform after the first report only, however far
    // the history is evicted into the base state, rewound or exported
    List<Report> spaced = new ArrayList<>();
    for (Report r : reports(60, 7)) {
      spaced.add(Report.of(50 * r.step(), r.valLosses()));
    }
    for (int history : new int[] {1000, 7, 1}) {
      Run run = Run.create(spec(1), history);
      Balancer direct = Methods.create("coba", TASKS, PARAMS, Map.of());
      List<StepOutcome> answers = new ArrayList<>();
      for (Report r : spaced.subList(0, 40)) {
        StepOutcome.Complete c =
            assertInstanceOf(StepOutcome.Complete.class, run.submit(RankReport.of(r)));
        assertArrayEquals(direct.update(r).weights().values(), c.weights().values(), 0.0);
        answers.add(c);
      }
      assertArrayEquals(
          new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3},
          ((StepOutcome.Complete) answers.get(0)).weights().values(),
          0.0);
      assertTrue(
          ((StepOutcome.Complete) answers.get(1)).weights().get("a") != 1.0 / 3,
          "real weights from the second report");
      Run restored =
          Run.restore(
              JSON.readValue(JSON.writeValueAsString(run.exportState()), RunState.class), history);
      Run rewound = Run.create(spec(1), history);
      spaced.subList(0, 40).forEach(r -> rewound.submit(RankReport.of(r)));
      rewound.submit(RankReport.of(spaced.get(40)));
      rewound.rewind(spaced.get(39).step());
      for (Report r : spaced.subList(40, 60)) {
        StepOutcome expected = run.submit(RankReport.of(r));
        assertEquals(expected, restored.submit(RankReport.of(r)), "restored, history " + history);
        assertEquals(expected, rewound.submit(RankReport.of(r)), "rewound, history " + history);
      }
      assertEquals(
          JSON.writeValueAsString(run.exportState()),
          JSON.writeValueAsString(restored.exportState()));
    }
  }

  // ---------------------------------------------------------------- weightsUsed

  private static final Map<String, Double> LOSSES = Map.of("a", 1.0, "b", 1.1, "c", 0.9);

  private static RankReport used(long step, int rank, Map<String, Double> weightsUsed) {
    return new RankReport(step, rank, LOSSES, null, null, null, weightsUsed);
  }

  @Test
  void weightsUsedIsRecordedPerStepAndNeverBalanced() {
    Run run = Run.create(spec(2), 1000);
    Run plain = Run.create(spec(2), 1000);
    Map<String, Double> third = Map.of("a", 1.0 / 3, "b", 1.0 / 3, "c", 1.0 / 3);
    Map<String, Double> older = Map.of("a", 0.5, "b", 0.25, "c", 0.25);
    // step 1: both ranks trained with the same weights; step 2: rank 1 fell back to older ones
    // (it arrives first: the history shows rank 0's all the same); step 3: only rank 1 says; step
    // 4: nobody
    List<List<RankReport>> steps =
        List.of(
            List.of(used(1, 0, third), used(1, 1, third)),
            List.of(used(2, 1, older), used(2, 0, third)),
            List.of(used(3, 0, null), used(3, 1, older)),
            List.of(used(4, 0, Map.of()), used(4, 1, null)));
    for (List<RankReport> ranks : steps) {
      StepOutcome last = null;
      for (RankReport r : ranks) {
        last = run.submit(r);
        plain.submit(new RankReport(r.step(), r.rank(), r.valLosses(), null, null, null));
      }
      assertEquals(plain.outcome(ranks.get(0).step()), last, "weightsUsed changes no weight");
    }
    var history = run.history(0, 10);
    assertEquals(third, history.get(1L).weightsUsed());
    assertEquals(false, history.get(1L).weightsUsedDiffer());
    assertEquals(third, history.get(2L).weightsUsed());
    assertEquals(true, history.get(2L).weightsUsedDiffer());
    assertEquals(older, history.get(3L).weightsUsed());
    assertEquals(false, history.get(3L).weightsUsedDiffer());
    assertEquals(Map.of(), history.get(4L).weightsUsed());
    assertEquals(false, history.get(4L).weightsUsedDiffer());
    assertEquals(plain.exportState().base(), run.exportState().base());
  }

  @Test
  void weightsUsedIsPartOfTheReport() throws Exception {
    Run run = Run.create(spec(2), 1000);
    Map<String, Double> w = Map.of("a", 0.2, "b", 0.3, "c", 0.5);
    RankReport r0 = used(1, 0, w);
    run.submit(r0);
    assertEquals(
        new StepOutcome.Pending(1, 1, 2),
        run.submit(used(1, 0, new java.util.TreeMap<>(w))),
        "a retry");
    assertEquals(
        "step",
        assertThrows(RunConflictException.class, () -> run.answerIfRepeat(used(1, 0, null)))
            .field());
    assertEquals(
        "step",
        assertThrows(
                RunConflictException.class,
                () -> run.answerIfRepeat(used(1, 0, Map.of("a", 0.2, "b", 0.3, "c", 0.51))))
            .field());
    StepOutcome done = run.submit(used(1, 1, null));
    assertEquals(done, run.submit(r0));
    assertEquals(
        "step",
        assertThrows(
                RunConflictException.class, () -> run.answerIfRepeat(used(1, 0, Map.of("a", 1.0))))
            .field());
    // kept by the state, so a checkpoint restores it; a state without it (an older build's) still
    // loads
    String json = JSON.writeValueAsString(run.exportState());
    assertTrue(json.matches(".*\"weightsUsed\":\\{[^}]*\"c\":0\\.5.*"), json);
    Run restored = Run.restore(JSON.readValue(json, RunState.class), 1000);
    assertEquals(w, restored.history(1, 1).get(1L).weightsUsed());
    assertEquals(done, restored.submit(r0));
    String old = json.replaceAll(",\"weightsUsed\":\\{[^}]*}", "");
    assertTrue(!old.contains("weightsUsed"), old);
    Run fromOld = Run.restore(JSON.readValue(old, RunState.class), 1000);
    assertEquals(Map.of(), fromOld.history(1, 1).get(1L).weightsUsed());
    assertEquals(run.weights(), fromOld.weights());
  }

  @Test
  void badWeightsUsedIsRefusedNamingTheTaskAndChangesNothing() throws Exception {
    Run run = Run.create(spec(1), 1000);
    run.submit(used(1, 0, Map.of("a", 1.0)));
    String before = JSON.writeValueAsString(run.exportState());
    java.util.HashMap<String, Double> withNull = new java.util.HashMap<>();
    withNull.put("b", null);
    List<Map.Entry<Map<String, Double>, String>> bad =
        List.of(
            Map.entry(Map.of("zz", 0.5), "weightsUsed.zz"),
            Map.entry(Map.of("a", 0.5, "b", -0.1), "weightsUsed.b"),
            Map.entry(Map.of("c", Double.NaN), "weightsUsed.c"),
            Map.entry(Map.of("c", Double.POSITIVE_INFINITY), "weightsUsed.c"),
            Map.entry(withNull, "weightsUsed.b"));
    for (var c : bad) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> run.submit(used(2, 0, c.getKey())));
      assertEquals(c.getValue(), e.field(), e.getMessage());
      assertTrue(e.getMessage().contains("step 2"), e.getMessage());
    }
    assertEquals(before, JSON.writeValueAsString(run.exportState()));
    run.submit(used(2, 0, Map.of("a", 0.0, "b", 0.0, "c", 0.0))); // zeros are weights too
  }

  @Test
  void aStateWithBadReportsIsRefused() {
    RunState bad =
        new RunState(
            1, spec(1), null, List.of(new RankReport(1, 0, Map.of("a", -1.0), null, null, null)));
    assertEquals(
        "reports[0].valLosses.a",
        assertThrows(InvalidInputException.class, () -> Run.restore(bad, 10)).field());
  }
}
