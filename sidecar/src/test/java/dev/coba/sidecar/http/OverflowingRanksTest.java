package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.protocol.OpenApiContract;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 7: two ranks whose losses are finite one by one but overflow when combined.
 * The completing report is refused before it is stored, on every retry; the pending report
 * stays; the run's own checkpoint can be PUT back. And a loss whose ratio would overflow.
 */
class OverflowingRanksTest {
  static TestServer server;

  @BeforeAll
  static void start() {
    OpenApiContract contract = OpenApiContract.load();
    server = TestServer.start();
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

  static String report(int rank, String python) {
    return "{\"step\": 1, \"rank\": "
        + rank
        + ", \"valLosses\": {\"python\": "
        + python
        + ", \"java\": 2.0}}";
  }

  @Test
  void theCompletingReportIsRefusedEveryTimeAndNothingIsLost() {
    expect(
        201,
        server.post(
            "/v1/runs",
            "{\"runId\": \"big\", \"tasks\": [\"python\", \"java\"], \"method\": \"coba\","
                + " \"worldSize\": 2}"));
    expect(202, server.post("/v1/runs/big/steps", report(0, "1e308")));
    String state = expect(200, server.get("/v1/runs/big/state")).body();
    for (int attempt = 0; attempt < 3; attempt++) {
      Response refused = expect(400, server.post("/v1/runs/big/steps", report(1, "1e308")));
      assertEquals("valLosses.python", refused.errorField());
      assertEquals(state, server.get("/v1/runs/big/state").body(), "nothing changed");
      Response pending = expect(202, server.post("/v1/runs/big/steps", report(0, "1e308")));
      assertEquals(1, pending.json().get("received").asInt(), "rank 0's report is still pending");
    }
    expect(200, server.put("/v1/runs/big/state", state));
    assertEquals(state, server.get("/v1/runs/big/state").body());
    Response done = expect(200, server.post("/v1/runs/big/steps", report(1, "1.0")));
    assertTrue(done.json().get("complete").asBoolean());
  }

  /**
   * A loss finite on its own whose ratio to the task's first loss is not (1e10 after 1e-300):
   * it used to be stored, then every answer of the run was NaN for good. Now a 400 naming it.
   */
  @Test
  void aLossWhoseRatioWouldOverflowIsRefusedAndTheRunGoesOn() {
    expect(
        201,
        server.post(
            "/v1/runs",
            "{\"runId\": \"ratio\", \"tasks\": [\"python\", \"java\"], \"method\": \"coba\","
                + " \"params\": {\"warmupSteps\": 0}}"));
    String first = "{\"step\": 1, \"valLosses\": {\"python\": 1e-300, \"java\": 2.0}}";
    expect(200, server.post("/v1/runs/ratio/steps", first));
    String state = expect(200, server.get("/v1/runs/ratio/state")).body();
    Response refused =
        expect(
            400,
            server.post(
                "/v1/runs/ratio/steps",
                "{\"step\": 2, \"valLosses\": {\"python\": 1e10, \"java\": 1.9}}"));
    assertEquals("valLosses.python", refused.errorField());
    assertTrue(refused.body().contains("1e100 times"), refused::toString);
    assertEquals(state, server.get("/v1/runs/ratio/state").body(), "nothing changed");
    Response next =
        expect(
            200,
            server.post(
                "/v1/runs/ratio/steps",
                "{\"step\": 2, \"valLosses\": {\"python\": 2e-300, \"java\": 1.9}}"));
    double sum = 0;
    for (var w : next.json().get("weights")) {
      assertTrue(w.isNumber() && w.asDouble() > 0, next::toString);
      sum += w.asDouble();
    }
    assertEquals(1, sum, 1e-12);
  }
}
