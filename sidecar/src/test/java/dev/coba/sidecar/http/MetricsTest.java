package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-run gauges follow the runs, and their label sets stay bounded. */
class MetricsTest {
  TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static long lines(String text, String prefix) {
    return text.lines().filter(l -> l.startsWith(prefix)).count();
  }

  @Test
  void weightGaugesComeAndGoWithRuns() {
    server.post(
        "/v1/runs", "{\"runId\": \"m1\", \"tasks\": [\"a\", \"b\"], \"method\": \"uniform\"}");
    String text = server.get("/metrics").body();
    assertTrue(text.contains("coba_run_weight{run=\"m1\",task=\"a\"} 0.5"), text);
    assertTrue(text.contains("coba_runs 1.0"), text);
    assertEquals(204, server.delete("/v1/runs/m1").status());
    text = server.get("/metrics").body();
    assertFalse(text.contains("run=\"m1\""), text);
    assertTrue(text.contains("coba_runs 0.0"), text);
  }

  @Test
  void weightSeriesAreCapped() {
    int tasks = 100;
    String names =
        IntStream.range(0, tasks).mapToObj(i -> "\"t" + i + "\"").collect(Collectors.joining(","));
    int runs = Metrics.MAX_WEIGHT_SERIES / tasks + 1;
    for (int r = 0; r < runs; r++) {
      assertEquals(
          201,
          server
              .post(
                  "/v1/runs",
                  "{\"runId\": \"cap"
                      + r
                      + "\", \"tasks\": ["
                      + names
                      + "], \"method\": \"uniform\"}")
              .status());
    }
    String text = server.get("/metrics").body();
    assertEquals(Metrics.MAX_WEIGHT_SERIES, lines(text, "coba_run_weight{"));
    assertTrue(
        text.contains("coba_run_weight_series_dropped " + (double) tasks),
        text.lines().filter(l -> l.startsWith("coba_run_weight_series")).toList().toString());
  }

  @Test
  void labelValuesAreEscaped() {
    assertEquals(
        201,
        server
            .post(
                "/v1/runs",
                "{\"runId\": \"esc\", \"tasks\": [\"a\\\"b\", \"c\\\\d\"], \"method\": \"uniform\"}")
            .status());
    String text = server.get("/metrics").body();
    assertTrue(text.contains("coba_run_weight{run=\"esc\",task=\"a\\\"b\"} 0.5"), text);
    assertTrue(text.contains("coba_run_weight{run=\"esc\",task=\"c\\\\d\"} 0.5"), text);
  }

  @Test
  void unknownPathsShareOneLabel() {
    for (int i = 0; i < 20; i++) {
      server.get("/random/" + i);
    }
    String text = server.get("/metrics").body();
    assertTrue(text.contains("route=\"unmatched\",status=\"404\""), text);
    assertFalse(text.contains("/random/"), "no path becomes a label");
  }
}
