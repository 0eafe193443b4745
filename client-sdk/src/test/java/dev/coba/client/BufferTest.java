package dev.coba.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sidecar that is not up yet: reports wait in a bounded buffer, the oldest dropped when it is full. */
class BufferTest {
  @Test
  void boundedBufferDropsTheOldestAndReplaysTheRestOnceTheSidecarIsUp(@TempDir Path dir)
      throws InterruptedException {
    RunDefinition def = Scenario.run("late", 1);
    int port = Sidecar.freePort();
    List<Long> dropped = new CopyOnWriteArrayList<>();
    List<Integer> retries = new CopyOnWriteArrayList<>();
    ClientListener listener =
        new ClientListener() {
          @Override
          public void onBufferOverflow(StepReport report) {
            dropped.add(report.step());
          }

          @Override
          public void onRetry(int attempt, Throwable cause) {
            retries.add(attempt);
          }
        };
    RemoteConfig config =
        Sidecar.config("http://127.0.0.1:" + port, def, listener)
            .callTimeout(Duration.ofMillis(200))
            .openDuration(Duration.ofMillis(100))
            .bufferCapacity(3)
            .build();
    try (CobaClient remote = CobaClient.remote(config)) { // nobody listens yet: no exception
      for (long step = 0; step < 5; step++) {
        Weights w = remote.report(Scenario.report(step, 0));
        assertTrue(w.fallback());
        assertEquals(
            remote.weights().asMap(), Weights.uniform(Scenario.TASKS, Objective.LINEAR).asMap());
      }
      assertEquals(List.of(0L, 1L), dropped);
      assertEquals(3, remote.bufferedReports());
      assertTrue(!retries.isEmpty(), "connection errors are retried");
      assertThrows(CobaUnavailableException.class, remote::run);
      try (Sidecar sidecar = Sidecar.journal(dir, port)) {
        assertEquals(port, sidecar.port());
        Thread.sleep(150); // past the open breaker
        assertTrue(remote.flush());
        assertEquals(0, remote.bufferedReports());
        RunInfo run = remote.run(); // the run was created on the way
        assertEquals(4L, run.step());
        assertEquals(run.weights(), remote.weights());
      }
    }
  }
}
