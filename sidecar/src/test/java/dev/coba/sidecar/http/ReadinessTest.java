package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.protocol.OpenApiContract;
import dev.coba.sidecar.runs.FailingStore;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /readyz}: "starting" while the journal replays, "not ready" while the store fails, else ready. */
class ReadinessTest {
  private static final OpenApiContract CONTRACT = OpenApiContract.load();
  private static final String CREATE =
      "{\"runId\": \"r\", \"tasks\": [\"a\", \"b\"], \"method\": \"coba\"}";

  private static Response checked(Response r) {
    List<String> problems = CONTRACT.problems(r);
    assertTrue(problems.isEmpty(), () -> r + "\n  " + String.join("\n  ", problems));
    return r;
  }

  @Test
  void notReadyWhileTheStoreFails() {
    FailingStore store = new FailingStore();
    try (TestServer s = TestServer.start(null, store, RegistryLimits.defaults())) {
      assertEquals(200, checked(s.get("/readyz")).status());
      store.failing = true; // a full disk
      assertEquals(503, s.post("/v1/runs", CREATE).status());
      Response notReady = checked(s.get("/readyz"));
      assertEquals(503, notReady.status(), notReady::toString);
      assertEquals("not ready", notReady.json().get("status").asText());
      assertEquals(200, s.get("/healthz").status(), "alive all the same");
      store.failing = false;
      assertEquals(200, checked(s.get("/readyz")).status());
      assertEquals(201, s.post("/v1/runs", CREATE).status());
    }
  }

  @Test
  void startingWhileLoadingAndOnlyTheProbesAnswer() {
    RunRegistry registry = RunRegistry.unloaded(new MemoryStore(), RegistryLimits.defaults());
    try (TestServer s = TestServer.over(registry)) {
      Response starting = checked(s.get("/readyz"));
      assertEquals(503, starting.status(), starting::toString);
      assertEquals("starting", starting.json().get("status").asText());
      assertEquals(200, s.get("/healthz").status());
      for (Response r :
          List.of(s.get("/v1/runs"), s.post("/v1/runs", CREATE), s.get("/metrics"), s.get("/"))) {
        assertEquals(503, r.status(), r::toString);
        assertEquals("1", r.headers().firstValue("Retry-After").orElse(null), r::toString);
        assertTrue(r.json().get("error").asText().contains("starting"), r::toString);
      }
      registry.load();
      assertEquals(200, checked(s.get("/readyz")).status());
      assertEquals(201, s.post("/v1/runs", CREATE).status());
    }
  }
}
