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

  @TempDir
  Path dir;

  private static RunSpec spec(String id, int worldSize) {
    return new RunSpec(id, List.of("a", "b"), "coba", Map.of("warmupSteps", 3, "historyLength", 8), worldSize,
        Map.of("a", 2.0, "b", 3.0));
  }

  private static RankReport report(long step, int rank, Random rnd) {
    return new RankReport(step, rank, Map.of("a", 2 * Math.exp(-0.02 * step) + 0.01 * rnd.nextDouble(),
        "b", 3 * Math.exp(-0.005 * step) + 0.01 * rnd.nextDouble()), null, null, null);
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
        assertEquals(uninterrupted.submit(r1), registry.submit("y", r0) instanceof StepOutcome.Pending
            ? registry.submit("y", r1) : null);
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
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS)) { // 64 MiB: no compaction
      registry.create(spec("c", 1));
      steps(registry, uninterrupted, 1, 100, rnd);
    }
    Path journal = dir.resolve(JournalStore.JOURNAL);
    assertTrue(Files.size(journal) > 10_000);
    assertTrue(firstEvent().contains("\"type\":\"create\""), firstEvent());
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 10_000)) {
      assertTrue(firstEvent().contains("\"type\":\"restore\""), "compacted at start: " + firstEvent());
      assertEquals(uninterrupted.weights(), registry.get("c").weights());
    }
    byte[] compacted = Files.readAllBytes(journal);
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS, 10_000)) {
      assertEquals(100L, registry.get("c").step());
    }
    assertTrue(java.util.Arrays.equals(compacted, Files.readAllBytes(journal)), "not compacted again at each start");
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
      assertTrue(firstEvent().contains("\"type\":\"restore\""), "compacted during the run: " + firstEvent());
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
      assertTrue(firstEvent().contains("\"type\":\"create\""), "not retried on every change: " + firstEvent());
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
    RunState old = new RunState(now.version(), now.run(),
        new BalancerState(b.version(), b.method(), b.tasks(), b.params(), b.initialLosses(), data), now.reports());
    try (JournalStore store = JournalStore.open(dir)) {
      store.replay(e -> { });
      store.append(Event.create(spec("old", 1)));
      store.append(Event.restore("old", old));
    }
    try (RunRegistry registry = RunRegistry.open(JournalStore.open(dir), LIMITS)) {
      assertEquals(80L, registry.get("old").step());
      assertEquals(Json.mapper().writeValueAsString(now), Json.mapper().writeValueAsString(registry.exportState("old")));
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
      RunSpec same = new RunSpec("a", List.of("a", "b"), "coba", Map.of("warmupSteps", 3, "historyLength", 8, "tau", 5),
          1, Map.of("a", 2.0, "b", 3.0));
      assertFalse(registry.create(same).created());
      assertThrows(RunConflictException.class, () -> registry.create(spec("a", 2)));
      for (String id : List.of("b", "c", "d", "e")) {
        registry.create(spec(id, 1));
      }
      RunConflictException full = assertThrows(RunConflictException.class, () -> registry.create(spec("f", 1)));
      assertTrue(full.getMessage().contains("limit"), full.getMessage());
      registry.delete("e");
      assertThrows(RunNotFoundException.class, () -> registry.get("e"));
      assertTrue(registry.create(spec("f", 1)).created());
      RunPage first = registry.list(null, 2);
      assertEquals(List.of("a", "b"), first.runs().stream().map(v -> v.spec().runId()).toList());
      RunPage second = registry.list(first.next(), 10);
      assertEquals(List.of("c", "d", "f"), second.runs().stream().map(v -> v.spec().runId()).toList());
      assertNull(second.next());
    }
  }

  @Test
  void aLongPollWakesWhenTheLastRankReports() throws Exception {
    try (RunRegistry registry = RunRegistry.open(new MemoryStore(), LIMITS)) {
      registry.create(spec("p", 2));
      Random rnd = new Random(3);
      registry.submit("p", report(1, 0, rnd));
      CompletableFuture<StepOutcome> waiting = CompletableFuture.supplyAsync(() -> registry.awaitOutcome("p", 1, 10_000));
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
  void aStateIsRestoredUnderItsOwnIdOnly() {
    try (RunRegistry registry = RunRegistry.open(new MemoryStore(), LIMITS)) {
      registry.create(spec("s", 1));
      Random rnd = new Random(4);
      for (int s = 1; s <= 20; s++) {
        registry.submit("s", report(s, 0, rnd));
      }
      var state = registry.exportState("s");
      assertEquals("run.runId", assertThrows(InvalidInputException.class, () -> registry.restoreState("t", state)).field());
      registry.delete("s");
      assertEquals(20L, registry.restoreState("s", state).step());
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
