package dev.coba.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.protocol.WireJson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteClientTest {
  private static final int STEPS = 30;

  @Test
  void remoteAndInProcessAnswerIdentically() {
    RunDefinition def = Scenario.run("same", 1);
    try (Sidecar sidecar = Sidecar.inMemory();
        CobaClient remote = CobaClient.remote(Sidecar.config(sidecar.url(), def, null).build());
        CobaClient local = CobaClient.inProcess(def)) {
      assertEquals(local.weights(), remote.weights());
      assertNull(remote.weights().step());
      for (long step = 0; step < STEPS; step++) {
        Weights r = remote.report(Scenario.report(step, 0));
        Weights l = local.report(Scenario.report(step, 0));
        assertTrue(r.fresh(), "step " + step);
        assertEquals(l, r, "step " + step);
        assertEquals(l.asMap(), r.asMap()); // exact doubles
        assertEquals(step, r.step());
      }
      assertEquals(local.run(), remote.run());
      assertEquals(STEPS - 1, remote.run().step());
      // the history with the method's diagnostics, through the protocol or not
      List<StepRecord> history = local.history(0, STEPS);
      assertEquals(STEPS, history.size());
      assertEquals(history, remote.history(0, STEPS));
      assertEquals(local.history(3, 5), remote.history(3, 5));
      assertEquals(
          List.of(3L, 4L, 5L), remote.history(3, 5).stream().map(StepRecord::step).toList());
      assertEquals(remote.weights().asMap(), history.get(STEPS - 1).weights());
      assertNull(history.get(0).scalar("df")); // CoBa's DF exists from the end of its warm-up on
      assertTrue(history.get(STEPS - 1).scalar("df") > 0);
      // a repeated report answers the same (idempotent protocol)
      assertEquals(local.weights(), remote.report(Scenario.report(STEPS - 1, 0)));
    }
  }

  @Test
  void weightsUsedTravelsWithTheReportAndShowsInTheHistory() {
    RunDefinition def = Scenario.run("used", 1);
    try (Sidecar sidecar = Sidecar.inMemory();
        CobaClient remote = CobaClient.remote(Sidecar.config(sidecar.url(), def, null).build());
        CobaClient local = CobaClient.inProcess(def)) {
      for (long step = 0; step < 6; step++) {
        Map<String, Double> trainedWith = remote.weights().asMap();
        StepReport r = Scenario.report(step, 0).toBuilder().weightsUsed(trainedWith).build();
        assertEquals(trainedWith, r.weightsUsed());
        assertFalse(r.equals(Scenario.report(step, 0)), "weightsUsed is part of the report");
        assertEquals(local.report(r), remote.report(r));
      }
      List<StepRecord> history = remote.history(0, 10);
      assertEquals(local.history(0, 10), history);
      for (int i = 1; i < history.size(); i++) {
        assertEquals(history.get(i - 1).weights(), history.get(i).weightsUsed(), "step " + i);
        assertFalse(history.get(i).weightsUsedDiffer());
      }
      // a checkpoint of either keeps it
      try (CobaClient restored = CobaClient.inProcess(def)) {
        restored.restore(remote.exportState());
        assertEquals(history, restored.history(0, 10));
        assertEquals(local.exportState(), restored.exportState());
      }
    }
  }

  @Test
  void rejectionsSurfaceAtOnceAndAreNotBuffered() {
    RunDefinition def = Scenario.run("rejected", 1);
    try (Sidecar sidecar = Sidecar.inMemory();
        CobaClient remote = CobaClient.remote(Sidecar.config(sidecar.url(), def, null).build());
        CobaClient local = CobaClient.inProcess(def)) {
      StepReport unknownTask = StepReport.builder(0).valLoss("rust", 1.0).build();
      long t0 = System.nanoTime();
      CobaRejectedException e =
          assertThrows(CobaRejectedException.class, () -> remote.report(unknownTask));
      assertTrue(Duration.ofNanos(System.nanoTime() - t0).toMillis() < 1000);
      assertEquals(400, e.status());
      assertEquals(0, remote.bufferedReports());
      CobaRejectedException same =
          assertThrows(CobaRejectedException.class, () -> local.report(unknownTask));
      assertEquals(e.status(), same.status());
      assertEquals(e.field(), same.field());

      remote.report(Scenario.report(0, 0));
      StepReport otherBody = StepReport.builder(0).valLosses(Scenario.losses(5, 0)).build();
      CobaRejectedException conflict =
          assertThrows(CobaRejectedException.class, () -> remote.report(otherBody));
      assertEquals(409, conflict.status());
      assertEquals("step", conflict.field());
      assertEquals(0, remote.bufferedReports());
    }
    // a wrong token is a 4xx as well
    try (Sidecar sidecar = Sidecar.inMemory()) {
      RemoteConfig bad = RemoteConfig.builder(sidecar.url(), def).token("wrong").build();
      CobaRejectedException e =
          assertThrows(CobaRejectedException.class, () -> CobaClient.remote(bad));
      assertEquals(401, e.status());
    }
  }

  @Test
  void sidecarDownForAWhileLosesNoReportAndNeverBlocks(@TempDir Path dir)
      throws InterruptedException {
    RunDefinition def = Scenario.run("outage", 1);
    int port = Sidecar.freePort();
    Duration limit = Duration.ofMillis(300);
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicInteger replayed = new AtomicInteger();
    ClientListener listener =
        new ClientListener() {
          @Override
          public void onFallback(StepReport report, Throwable cause) {
            events.add("fallback " + report.step());
          }

          @Override
          public void onBufferReplayed(int count) {
            replayed.addAndGet(count);
          }

          @Override
          public void onCircuitStateChange(String from, String to) {
            events.add(from + "->" + to);
          }
        };
    RemoteConfig config =
        Sidecar.config("http://127.0.0.1:" + port, def, listener)
            .callTimeout(limit)
            .openDuration(Duration.ofMillis(200))
            .build();
    long worstMs = 0;
    try (CobaClient local = CobaClient.inProcess(def)) {
      Sidecar sidecar = Sidecar.journal(dir, port);
      CobaClient remote = CobaClient.remote(config);
      long step = 0;
      for (; step < 10; step++) {
        assertEquals(
            local.report(Scenario.report(step, 0)), remote.report(Scenario.report(step, 0)));
      }
      Weights before = remote.weights();
      sidecar.close();
      for (; step < 20; step++) {
        local.report(Scenario.report(step, 0));
        long t0 = System.nanoTime();
        Weights w = remote.report(Scenario.report(step, 0));
        worstMs = Math.max(worstMs, Duration.ofNanos(System.nanoTime() - t0).toMillis());
        assertTrue(w.fallback(), "step " + step);
        assertEquals(before, w, "keeps the last weights");
      }
      assertEquals(10, remote.bufferedReports());
      assertTrue(events.contains("CLOSED->OPEN"), events.toString());
      sidecar = Sidecar.journal(dir, port);
      try {
        Weights last = null;
        for (; step < 30; step++) {
          Weights expected = local.report(Scenario.report(step, 0));
          Thread.sleep(
              40); // the training step: the open breaker lets a request through after 200 ms
          long t0 = System.nanoTime();
          last = remote.report(Scenario.report(step, 0));
          worstMs = Math.max(worstMs, Duration.ofNanos(System.nanoTime() - t0).toMillis());
          if (last.fresh()) {
            assertEquals(expected, last, "step " + step);
          }
        }
        assertTrue(remote.flush());
        assertEquals(0, remote.bufferedReports());
        assertEquals(local.weights(), remote.weights());
        assertTrue(last != null && last.fresh(), "caught up by the end");
        assertTrue(replayed.get() >= 10, "replayed " + replayed.get());
        // the sidecar's history is complete: every step, 0..29, once
        JsonNode state = WireJson.read(remote.exportState(), JsonNode.class);
        List<Long> steps = new ArrayList<>();
        state.get("reports").forEach(r -> steps.add(r.get("step").asLong()));
        List<Long> expectedSteps = new ArrayList<>();
        for (long s = 0; s < 30; s++) {
          expectedSteps.add(s);
        }
        assertEquals(expectedSteps, steps);
        assertEquals(local.exportState(), remote.exportState());
        remote.close();
      } finally {
        sidecar.close();
      }
    }
    assertTrue(worstMs < limit.toMillis() + 150, "worst report took " + worstMs + " ms");
  }

  @Test
  void slowSidecarFallsBackWithinTheLimitAndCatchesUp() throws Exception {
    RunDefinition def = Scenario.run("slow", 1);
    Duration limit = Duration.ofMillis(400);
    try (Sidecar sidecar = Sidecar.inMemory();
        SlowProxy proxy = new SlowProxy(sidecar.url());
        CobaClient local = CobaClient.inProcess(def);
        CobaClient remote =
            CobaClient.remote(
                Sidecar.config(proxy.url(), def, null)
                    .callTimeout(limit)
                    .openDuration(Duration.ofMillis(100))
                    .build())) {
      long step = 0;
      for (; step < 5; step++) {
        Weights expected = local.report(Scenario.report(step, 0));
        Weights w = remote.report(Scenario.report(step, 0));
        if (w.fresh()) { // the very first requests through a cold proxy may be slow already
          assertEquals(expected, w);
        }
      }
      assertTrue(remote.flush());
      assertEquals(local.weights(), remote.weights());
      proxy.delayMs(1000);
      long worstMs = 0;
      for (; step < 10; step++) {
        local.report(Scenario.report(step, 0));
        long t0 = System.nanoTime();
        Weights w = remote.report(Scenario.report(step, 0));
        worstMs = Math.max(worstMs, Duration.ofNanos(System.nanoTime() - t0).toMillis());
        assertTrue(w.fallback(), "step " + step);
      }
      // fell back at the limit, not when the slow answer came (1,000 ms); the margin is for a
      // loaded 2-core machine
      assertTrue(worstMs < limit.toMillis() + 450, "worst report took " + worstMs + " ms");
      proxy.delayMs(0);
      Thread.sleep(1100); // let the slow requests that were sent land, and the breaker half-open
      Weights last = null;
      for (; step < 15; step++) {
        Weights expected = local.report(Scenario.report(step, 0));
        last = remote.report(Scenario.report(step, 0));
        if (last.fresh()) {
          assertEquals(expected, last);
        }
      }
      assertTrue(remote.flush());
      assertEquals(local.weights(), remote.weights());
      assertEquals(local.exportState(), remote.exportState());
    }
  }

  @Test
  void twoRanksOnTwoThreadsGetTheSameWeights() throws Exception {
    RunDefinition def = Scenario.run("ranks", 2);
    int steps = 15;
    try (Sidecar sidecar = Sidecar.inMemory();
        CobaClient rank0 = CobaClient.remote(Sidecar.config(sidecar.url(), def, null).build());
        CobaClient rank1 = CobaClient.remote(Sidecar.config(sidecar.url(), def, null).build());
        CobaClient local = CobaClient.inProcess(def)) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<List<Weights>> f0 = pool.submit(() -> loop(rank0, 0, steps));
        Future<List<Weights>> f1 = pool.submit(() -> loop(rank1, 1, steps));
        List<Weights> w0 = f0.get();
        List<Weights> w1 = f1.get();
        // the same through the in-process client, both ranks on two threads too
        Future<List<Weights>> l0 = pool.submit(() -> loop(local, 0, steps));
        Future<List<Weights>> l1 = pool.submit(() -> loop(local, 1, steps));
        List<Weights> lw0 = l0.get();
        List<Weights> lw1 = l1.get();
        for (int s = 0; s < steps; s++) {
          assertTrue(w0.get(s).fresh() && w1.get(s).fresh(), "step " + s);
          assertEquals(w0.get(s), w1.get(s), "step " + s);
          assertEquals(lw0.get(s), w0.get(s), "step " + s);
          assertEquals(lw1.get(s), w1.get(s), "step " + s);
        }
        assertFalse(w0.get(0).equals(w0.get(steps - 1)));
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static List<Weights> loop(CobaClient client, int rank, int steps) {
    List<Weights> out = new ArrayList<>();
    for (long s = 0; s < steps; s++) {
      out.add(client.report(Scenario.report(s, rank)));
    }
    return out;
  }

  @Test
  void checkpointsSaveRestoreAndRewind(@TempDir Path dir) {
    RunDefinition def = Scenario.run("ckpt", 1);
    try (Sidecar sidecar = Sidecar.inMemory();
        CobaClient remote = CobaClient.remote(Sidecar.config(sidecar.url(), def, null).build());
        CobaClient local = CobaClient.inProcess(def)) {
      for (CobaClient client : List.of(remote, local)) {
        Path ckpt = dir.resolve(client == remote ? "remote" : "local").resolve("step-9");
        Weights at9 = null;
        for (long s = 0; s < 20; s++) {
          Weights w = client.report(Scenario.report(s, 0));
          if (s == 9) {
            at9 = w;
            Checkpoints.save(client, ckpt);
          }
        }
        assertEquals(at9, Checkpoints.resume(client, ckpt, 9));
        assertEquals(9L, client.run().step());
        // training goes on from the checkpoint with the same answers
        assertEquals(local.getClass() == client.getClass() ? at9 : at9, client.weights());
      }
      assertEquals(local.exportState(), remote.exportState());
      assertEquals(
          Map.copyOf(local.run().weights().asMap()), Map.copyOf(remote.run().weights().asMap()));
    }
  }
}
