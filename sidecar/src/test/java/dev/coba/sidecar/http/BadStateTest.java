package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coba.protocol.OpenApiContract;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 8: a checkpoint whose method state is internally inconsistent (a reference
 * loss of 0) is refused with a 400 naming the entry, and changes nothing; before, the next
 * answer carried "NaN" weights.
 */
class BadStateTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestServer server;

  @BeforeAll
  static void start() {
    OpenApiContract contract = OpenApiContract.load();
    server =
        TestServer.start(
            null, new MemoryStore(), new RegistryLimits(10, 2)); // 2 steps kept: a base state
    server.observer =
        r -> {
          List<String> problems = contract.problems(r);
          assertTrue(problems.isEmpty(), () -> r + "\n  " + String.join("\n  ", problems));
        };
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Response expect(int status, Response r) {
    assertEquals(status, r.status(), r::toString);
    return r;
  }

  static String report(int step, double python, double java) {
    return "{\"step\": "
        + step
        + ", \"valLosses\": {\"python\": "
        + python
        + ", \"java\": "
        + java
        + "}}";
  }

  @Test
  void aReferenceLossOfZeroIsRefusedAndChangesNothing() throws Exception {
    expect(
        201,
        server.post(
            "/v1/runs",
            "{\"runId\": \"ref\", \"tasks\": [\"python\", \"java\"], \"method\": \"coba\","
                + " \"params\": {\"warmupSteps\": 1, \"historyLength\": 3}}"));
    for (int step = 1; step <= 5; step++) {
      expect(
          200,
          server.post("/v1/runs/ref/steps", report(step, 2.0 - 0.1 * step, 2.1 - 0.05 * step)));
    }
    String state = expect(200, server.get("/v1/runs/ref/state")).body();
    ObjectNode broken = (ObjectNode) JSON.readTree(state);
    ((ArrayNode) broken.get("base").get("data").get("reference"))
        .set(0, JSON.getNodeFactory().numberNode(0.0));
    String runsBefore = server.get("/v1/runs").body();

    Response refused = expect(400, server.put("/v1/runs/ref/state", broken.toString()));
    assertEquals("base.data.reference[0]", refused.errorField());
    assertEquals(state, server.get("/v1/runs/ref/state").body(), "the run did not change");
    Response elsewhere =
        expect(
            400,
            server.put(
                "/v1/runs/ref-copy/state",
                broken.toString().replace("\"runId\":\"ref\"", "\"runId\":\"ref-copy\"")));
    assertEquals("base.data.reference[0]", elsewhere.errorField());
    assertEquals(runsBefore, server.get("/v1/runs").body(), "no run was created");

    Response next = expect(200, server.post("/v1/runs/ref/steps", report(6, 1.3, 1.8)));
    assertFalse(next.body().contains("NaN"), next.body());
    assertFalse(expect(200, server.get("/metrics")).body().contains("NaN"));
  }
}
