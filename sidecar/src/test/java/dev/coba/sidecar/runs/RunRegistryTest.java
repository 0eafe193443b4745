package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunConflictException;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import dev.coba.core.run.StepOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRegistryTest {
  private static final RegistryLimits LIMITS = new RegistryLimits(5, 50);

  @TempDir Path dir;

  private static RunSpec spec(String id, int worldSize) {
    return new RunSpec(
        id,
        List.of("a", "b"),
        "coba",
        Map.of("warmupSteps", 3, "historyLength", 8),
        worldSize,
        Map.of("a", 2.0, "b", 3.0));
  }

  private static RankReport report(long step, int rank, Random rnd) {
    return new RankReport(
        step,
        rank,
        Map.of(
            "a",
            2 * Math.exp(-0.02 * step) + 0.01 * rnd.nextDouble(),
            "b",
            3 * Math.exp(-0.005 * step) + 0.01 * rnd.nextDouble()),
        null,
        null,
        null);
  }

  @Test
  void aReopenedRegistryAnswersAsOneThatNeverStopped() {
    Random rnd = new Random(1);
    List<RankReport> reports = new ArrayList<>();
    for (int s = 1; s <= 120; s++) {
      reports.add(report(s, 0, rnd));
    }
    Run uninterrupted = Run.create(spec("x", 1), LIMITS.maxHistory());
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS)) {
      assertTrue(registry.create(spec("x", 1)).created());
      for (RankReport r : reports.subList(0, 80)) {
        assertEquals(uninterrupted.submit(r), registry.submit("x", r));
      }
      registry.rewind("x", 70);
      uninterrupted.rewind(70);
    }
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS)) {
      assertEquals(70L, registry.get("x").step());
      assertEquals(uninterrupted.weights(), registry.get("x").weights());
      for (RankReport r : reports.subList(70, 120)) {
        assertEquals(uninterrupted.submit(r), registry.submit("x", r));
      }
    }
  }

  @Test
  void compactionKeepsEveryAnswer() {
    Random rnd = new Random(2);
    Run uninterrupted = Run.create(spec("y", 2), LIMITS.maxHistory());
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 4_000)) {
      registry.create(spec("y", 2));
      registry.create(spec("z", 1));
      for (int s = 1; s <= 150; s++) {
        RankReport r0 = report(s, 0, rnd);
        RankReport r1 = report(s, 1, rnd);
        registry.submit("z", new RankReport(s, 0, r0.valLosses(), null, null, null));
        uninterrupted.submit(r0);
        assertEquals(
            uninterrupted.submit(r1),
            registry.submit("y", r0) instanceof StepOutcome.Pending
                ? registry.submit("y", r1)
                : null);
      }
      registry.submit("y", report(151, 0, rnd)); // one rank of a step in flight
      uninterrupted.submit(report(151, 0, new Random(2)));
    }
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS)) {
      assertEquals(2, registry.size());
      assertEquals(150L, registry.get("y").step());
      assertEquals(uninterrupted.weights(), registry.get("y").weights());
      assertInstanceOf(StepOutcome.Pending.class, registry.awaitOutcome("y", 151, 0));
      assertEquals(150L, registry.get("z").step());
    }
  }

  /** The journal's first event (after its header). */
  private String firstEvent() throws Exception {
    try (var lines = Files.lines(dir.resolve(JournalStore.JOURNAL))) {
      return lines.filter(l -> !l.contains("\"format\":")).findFirst().orElseThrow();
    }
  }

  /** Submits steps {@code from..to} of run "c" to both. */
  private static void steps(RunRegistry registry, Run uninterrupted, int from, int to, Random rnd) {
    for (int s = from; s <= to; s++) {
      RankReport r = report(s, 0, rnd);
      uninterrupted.submit(r);
      registry.submit("c", r);
    }
  }

  /** Compaction follows the journal's real size, not what this process wrote. */
  @Test
  void aJournalThatGrewBeforeThisStartIsCompactedAtStartAndOnlyThen() throws Exception {
    Random rnd = new Random(4);
    Run uninterrupted = Run.create(spec("c", 1), LIMITS.maxHistory());
    try (RunRegistry registry =
        RunRegistry.open(JournalStore.open(dir), LIMITS)) { // 64 MiB: no compaction
      registry.create(spec("c", 1));
      steps(registry, uninterrupted, 1, 100, rnd);
    }
    Path journal = dir.resolve(JournalStore.JOURNAL);
    assertTrue(Files.size(journal) > 10_000);
    assertTrue(firstEvent().contains("\"type\":\"create\""), firstEvent());
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 10_000)) {
      assertTrue(
          firstEvent().contains("\"type\":\"restore\""), "compacted at start: " + firstEvent());
      assertEquals(uninterrupted.weights(), registry.get("c").weights());
    }
    byte[] compacted = Files.readAllBytes(journal);
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 10_000)) {
      assertEquals(100L, registry.get("c").step());
    }
    assertTrue(
        java.util.Arrays.equals(compacted, Files.readAllBytes(journal)),
        "not compacted again at each start");
  }

  @Test
  void growthBeforeARestartCountsTowardsTheNextCompaction() throws Exception {
    Random rnd = new Random(5);
    Run uninterrupted = Run.create(spec("c", 1), LIMITS.maxHistory());
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 20_000)) {
      registry.create(spec("c", 1));
      steps(registry, uninterrupted, 1, 80, rnd); // about 14 KB
    }
    assertTrue(firstEvent().contains("\"type\":\"create\""), "not yet compacted: " + firstEvent());
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 20_000)) {
      steps(registry, uninterrupted, 81, 120, rnd); // about 7 KB more: 21 KB in all
      assertTrue(
          firstEvent().contains("\"type\":\"restore\""),
          "compacted during the run: " + firstEvent());
      assertEquals(uninterrupted.weights(), registry.get("c").weights());
    }
  }

  /** A compaction that fails is logged, not answered: the change that triggered it is durable. */
  @Test
  void aFailedCompactionFailsNoChangeAndIsTriedAgainLater() throws Exception {
    Random rnd = new Random(6);
    Run uninterrupted = Run.create(spec("c", 1), LIMITS.maxHistory());
    DiskFull disk = new DiskFull();
    disk.compactionFails = true;
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir, disk), LIMITS, 4_000)) {
      registry.create(spec("c", 1));
      steps(registry, uninterrupted, 1, 30, rnd); // about 5 KB: a compaction was due, and failed
      assertTrue(firstEvent().contains("\"type\":\"create\""), firstEvent());
      disk.compactionFails = false;
      steps(registry, uninterrupted, 31, 40, rnd);
      assertTrue(
          firstEvent().contains("\"type\":\"create\""),
          "not retried on every change: " + firstEvent());
      steps(registry, uninterrupted, 41, 60, rnd); // another 4,000 bytes since the failure
      assertTrue(firstEvent().contains("\"type\":\"restore\""), "tried again: " + firstEvent());
      assertEquals(uninterrupted.weights(), registry.get("c").weights());
    }
  }

  @Test
  void aSnapshotOfAnOlderBuildStillLoads() throws Exception {
    // a compaction's restore event as the build before the warm-up count wrote it: the base
    // state (80 steps, 50 retained) lacks warmupReports, the reports lack weightsUsed
    Random rnd = new Random(3);
    List<RankReport> reports = new ArrayList<>();
    for (int s = 1; s <= 100; s++) {
      reports.add(report(s, 0, rnd));
    }
    Run uninterrupted = Run.create(spec("old", 1), LIMITS.maxHistory());
    reports.subList(0, 80).forEach(uninterrupted::submit);
    RunState now = uninterrupted.exportState();
    BalancerState b = now.base();
    Map<String, Object> data = new java.util.LinkedHashMap<>(b.data());
    assertTrue(data.remove("warmupReports") != null);
    RunState old =
        new RunState(
            now.version(),
            now.run(),
            new BalancerState(
                b.version(), b.method(), b.tasks(), b.params(), b.initialLosses(), data),
            now.reports());
    try (JournalStore store = JournalStore.open(dir)) {
      store.replay(e -> {});
      store.append(Event.create(spec("old", 1)));
      store.append(Event.restore("old", old));
    }
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS)) {
      assertEquals(80L, registry.get("old").step());
      assertEquals(
          Json.mapper().writeValueAsString(now),
          Json.mapper().writeValueAsString(registry.exportState("old")));
      for (RankReport r : reports.subList(80, 100)) {
        assertEquals(uninterrupted.submit(r), registry.submit("old", r));
      }
    }
  }

  @Test
  void createIsIdempotentAndBounded() {
    try (RunRegistry registry = RunRegistry.open(new MemoryStore(), LIMITS)) {
      assertTrue(registry.create(spec("a", 1)).created());
      // the same definition, with a default spelled out, is the same run
      RunSpec same =
          new RunSpec(
              "a",
              List.of("a", "b"),
              "coba",
              Map.of("warmupSteps", 3, "historyLength", 8, "tau", 5),
              1,
              Map.of("a", 2.0, "b", 3.0));
      assertFalse(registry.create(same).created());
      assertThrows(RunConflictException.class, () -> registry.create(spec("a", 2)));
      for (String id : List.of("b", "c", "d", "e")) {
        registry.create(spec(id, 1));
      }
      RunConflictException full =
          assertThrows(RunConflictException.class, () -> registry.create(spec("f", 1)));
      assertTrue(full.getMessage().contains("limit"), full.getMessage());
      registry.delete("e");
      assertThrows(RunNotFoundException.class, () -> registry.get("e"));
      assertTrue(registry.create(spec("f", 1)).created());
      RunPage first = registry.list(null, 2);
      assertEquals(List.of("a", "b"), first.runs().stream().map(v -> v.spec().runId()).toList());
      RunPage second = registry.list(first.next(), 10);
      assertEquals(
          List.of("c", "d", "f"), second.runs().stream().map(v -> v.spec().runId()).toList());
      assertNull(second.next());
    }
  }

  @Test
  void aLongPollWakesWhenTheLastRankReports() throws Exception {
    try (RunRegistry registry = RunRegistry.open(new MemoryStore(), LIMITS)) {
      registry.create(spec("p", 2));
      Random rnd = new Random(3);
      registry.submit("p", report(1, 0, rnd));
      CompletableFuture<StepOutcome> waiting =
          CompletableFuture.supplyAsync(() -> registry.awaitOutcome("p", 1, 10_000));
      Thread.sleep(100);
      assertFalse(waiting.isDone());
      StepOutcome done = registry.submit("p", report(1, 1, rnd));
      assertEquals(done, waiting.get());
      assertNull(registry.awaitOutcome("p", 2, 0));
      assertInstanceOf(StepOutcome.Pending.class, registry.submit("p", report(2, 0, rnd)));
      assertInstanceOf(StepOutcome.Pending.class, registry.awaitOutcome("p", 2, 50));
    }
  }

  @Test
  void aParkedWaitEndsWithTheChangeThatDecidesItsStep() {
    try (RunRegistry registry = RunRegistry.open(new MemoryStore(), LIMITS)) {
      registry.create(spec("w", 2));
      Random rnd = new Random(6);
      registry.submit("w", report(1, 0, rnd));
      CompletableFuture<StepOutcome> dropped = registry.whenDone("w", 1, 60_000);
      CompletableFuture<StepOutcome> timedOut = registry.whenDone("w", 1, 1);
      assertFalse(dropped.isDone());
      assertInstanceOf(
          StepOutcome.Pending.class,
          timedOut.join(),
          "answers the step as it is when waitMs ran out");
      assertEquals(1, registry.waitingPolls());
      registry.rewind("w", 0); // step 1's report is gone: nobody reported it any more
      assertTrue(dropped.isDone());
      assertNull(dropped.join());
      assertEquals(0, registry.waitingPolls());

      registry.submit("w", report(1, 0, rnd));
      CompletableFuture<StepOutcome> deleted = registry.whenDone("w", 1, 60_000);
      registry.delete("w");
      assertInstanceOf(
          RunNotFoundException.class,
          assertThrows(java.util.concurrent.CompletionException.class, deleted::join).getCause());
      assertEquals(0, registry.waitingPolls());
    }
  }

  @Test
  void aStateIsRestoredUnderItsOwnIdOnly() {
    try (RunRegistry registry = RunRegistry.open(new MemoryStore(), LIMITS)) {
      registry.create(spec("s", 1));
      Random rnd = new Random(4);
      for (int s = 1; s <= 20; s++) {
        registry.submit("s", report(s, 0, rnd));
      }
      var state = registry.exportState("s");
      assertEquals(
          "run.runId",
          assertThrows(InvalidInputException.class, () -> registry.restoreState("t", state))
              .field());
      registry.delete("s");
      assertEquals(20L, registry.restoreState("s", state).step());
    }
  }

  /** A run of 1,024 tasks, the protocol's most, with a method of small state: its steps fill the budget. */
  private static RunSpec wide(String id, String method) {
    return new RunSpec(id, FootprintTest.tasks(1024), method, Map.of(), 1, Map.of());
  }

  private static RankReport wideReport(long step, Random rnd) {
    return FootprintTest.report(FootprintTest.tasks(1024), step, 0, false, rnd);
  }

  @Test
  void aFullBudgetRefusesRunsReportsAndStatesAndStoresNothing() {
    MemoryStore store = new MemoryStore();
    long limit = 1L << 20;
    try (RunRegistry registry = RunRegistry.open(store, new RegistryLimits(100, 50, limit))) {
      registry.create(wide("a", "uniform"));
      Random rnd = new Random(7);
      int accepted = 0;
      MemoryBudgetException refused = null;
      for (long step = 1; step <= 50 && refused == null; step++) {
        long events = store.bytesSinceRewrite();
        try {
          registry.submit("a", wideReport(step, rnd));
          accepted++;
        } catch (MemoryBudgetException e) {
          refused = e;
          assertEquals(events, store.bytesSinceRewrite(), "nothing journaled");
        }
      }
      assertTrue(refused != null && accepted > 0, "accepted " + accepted);
      assertEquals("step", refused.field());
      assertTrue(
          refused.getMessage().contains("1024 tasks") && refused.getMessage().contains("1.0 MiB"),
          refused.getMessage());
      assertEquals((long) accepted, registry.get("a").step(), "the refused step changed nothing");
      assertTrue(registry.budget().used() <= limit, "used " + registry.budget().used());

      long events = store.bytesSinceRewrite();
      MemoryBudgetException run =
          assertThrows(MemoryBudgetException.class, () -> registry.create(wide("b", "coba")));
      assertEquals("tasks", run.field());
      RunState state = registry.exportState("a");
      MemoryBudgetException put =
          assertThrows(
              MemoryBudgetException.class,
              () ->
                  registry.restoreState(
                      "c",
                      new RunState(
                          state.version(), wide("c", "uniform"), state.base(), state.reports())));
      assertEquals("run", put.field());
      assertEquals(events, store.bytesSinceRewrite(), "nothing journaled");
      assertEquals(1, registry.size());

      registry.restoreState("a", state); // replacing a run by itself needs nothing more
      registry.delete("a");
      assertEquals(0, registry.budget().used(), "a deleted run gives back all it was charged");
      assertTrue(registry.create(wide("b", "uniform")).created(), "room again");
    }
  }

  @Test
  void theEstimateIsTheSameLiveAndReplayedAndReplayIsNeverRefused() {
    long live;
    try (RunRegistry registry =
        RunRegistry.open(JournalStore.open(dir), new RegistryLimits(10, 20, 1L << 30))) {
      Random rnd = new Random(8);
      registry.create(spec("two", 2));
      registry.create(wide("wide", "uniform"));
      for (int s = 1; s <= 40; s++) {
        registry.submit("two", report(s, 0, rnd));
        if (s % 5 != 0) { // every fifth step stays pending, dropped when the next completes
          registry.submit("two", report(s, 1, rnd));
        }
        if (s <= 3) {
          registry.submit("wide", wideReport(s, rnd));
        }
      }
      registry.rewind("two", 30);
      registry.restoreState(
          "copy",
          new RunState(
              RunState.CURRENT_VERSION,
              spec("copy", 2),
              registry.exportState("two").base(),
              registry.exportState("two").reports()));
      live = registry.budget().used();
      assertTrue(live > 0);
    }
    // a budget far smaller than what the journal holds: every run comes back all the same
    try (RunRegistry registry =
        RunRegistry.open(JournalStore.open(dir), new RegistryLimits(10, 20, 100_000))) {
      assertEquals(3, registry.size());
      assertEquals(live, registry.budget().used(), "replay charges what the live registry charged");
      assertEquals(29L, registry.get("two").step()); // step 30 was pending
      assertThrows(MemoryBudgetException.class, () -> registry.create(spec("more", 1)));
      assertThrows(
          MemoryBudgetException.class, () -> registry.submit("wide", wideReport(4, new Random(9))));
      registry.delete("wide");
      registry.delete("two");
      registry.delete("copy");
      assertEquals(0, registry.budget().used());
    }
  }

  @Test
  void manyWideRunsAreRefusedCleanlyWithinTheBudget() {
    // the sidecar died of OOM after 31 one-report runs of 1,024 tasks: here each is
    // charged, and
    // the budget (not the heap) says no
    long limit = 64L << 20;
    try (RunRegistry registry =
        RunRegistry.open(new MemoryStore(), new RegistryLimits(10_000, 2_000, limit))) {
      Random rnd = new Random(10);
      int runs = 0;
      while (true) {
        String id = "wide-" + runs;
        try {
          registry.create(wide(id, "coba"));
          registry.submit(id, wideReport(1, rnd));
        } catch (MemoryBudgetException e) {
          break;
        }
        runs++;
        assertTrue(runs < 1_000, "never refused");
      }
      assertTrue(runs >= 10, "runs " + runs);
      assertTrue(registry.budget().used() <= limit);
      System.out.println("a 64 MiB budget took " + runs + " one-report coba runs of 1,024 tasks");
    }
  }

  @Test
  void aFailingStoreChangesNothing() {
    FailingStore failing = new FailingStore();
    try (RunRegistry registry = RunRegistry.open(failing, LIMITS)) {
      registry.create(spec("f", 1));
      failing.failing = true; // the disk fills up after the run was created
      assertThrows(StoreException.class, () -> registry.submit("f", report(1, 0, new Random(5))));
      assertNull(registry.get("f").step());
      assertEquals(List.of(), registry.exportState("f").reports());
    }
  }
}
