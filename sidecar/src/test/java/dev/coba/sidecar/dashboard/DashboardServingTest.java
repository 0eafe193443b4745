package dev.coba.sidecar.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.protocol.WireJson;
import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.JournalStore;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.sidecar.runs.StepSeries;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell without a token, the series behind it, and curves that survive a restart. */
class DashboardServingTest {
  static final String TOKEN = "dash-token";
  static final HttpClient CLIENT = HttpClient.newHttpClient();

  RunRegistry registry;
  SidecarServer server;
  String base;

  @BeforeEach
  void start() {
    registry = RunRegistry.open(new MemoryStore(), RegistryLimits.defaults());
    server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", 0, TOKEN))
            .start();
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() {
    server.stop();
    registry.close();
  }

  static RunSpec spec(String id) {
    return new RunSpec(
        id, List.of("a", "b"), "coba", Map.of("warmupSteps", 3, "historyLength", 8), 1, Map.of());
  }

  static RankReport report(long step) {
    return new RankReport(
        step,
        0,
        Map.of("a", 2 * Math.exp(-0.02 * step), "b", 3 * Math.exp(-0.005 * step)),
        null,
        null,
        null);
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theShellNeedsNoTokenAndCarriesNoData() throws Exception {
    for (String path :
        List.of(
            "/",
            "/runs/anything",
            "/dashboard/dashboard.js",
            "/dashboard/dashboard.css",
            "/dashboard/uPlot.iife.min.js",
            "/dashboard/uPlot.min.css")) {
      HttpResponse<String> r = get(path, null);
      assertEquals(200, r.statusCode(), path);
      assertTrue(
          r.headers()
              .firstValue("Content-Security-Policy")
              .orElse("")
              .startsWith("default-src 'self'"),
          path);
    }
    assertTrue(
        get("/", null).headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertTrue(
        get("/dashboard/dashboard.js", null)
            .headers()
            .firstValue("Content-Type")
            .orElse("")
            .startsWith("text/javascript"));
    assertTrue(get("/dashboard/uPlot.iife.min.js", null).body().contains("uPlot"));
    HttpResponse<String> missing = get("/dashboard/version.properties", null);
    assertEquals(404, missing.statusCode());
    assertEquals(404, WireJson.MAPPER.readTree(missing.body()).get("status").asInt());
  }

  @Test
  void theSeriesNeedsTheToken() throws Exception {
    registry.create(spec("r1"));
    assertEquals(401, get("/v1/runs/r1/series", null).statusCode());
    assertEquals(401, get("/v1/runs/r1/series", "wrong").statusCode());
    assertEquals(200, get("/v1/runs/r1/series", TOKEN).statusCode());
    assertEquals(
        401, get("/metrics", null).statusCode(), "the shell's exemption is the shell's only");
  }

  @Test
  void theCurveGoesBackBeyondTheRetainedHistoryAndFollowsARewind() throws Exception {
    registry.close();
    server.stop();
    registry = RunRegistry.open(new MemoryStore(), new RegistryLimits(10, 50));
    server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", 0, TOKEN))
            .start();
    base = "http://127.0.0.1:" + server.port();
    registry.create(spec("long"));
    for (long t = 1; t <= 300; t++) {
      registry.submit("long", report(t));
    }
    registry.rewind("long", 260);
    for (long t = 261; t <= 280; t++) {
      registry.submit("long", report(t));
    }
    JsonNode series = WireJson.MAPPER.readTree(get("/v1/runs/long/series", TOKEN).body());
    assertEquals(280, series.get("steps").size(), "every step, though only 50 are retained");
    assertEquals(1, series.get("steps").get(0).asLong());
    assertEquals(280, series.get("step").asLong());
    JsonNode history =
        WireJson.MAPPER.readTree(get("/v1/runs/long/history", TOKEN).body()).get("steps");
    assertEquals(30, history.size(), "251..260 retained through the rewind, then 261..280");
  }

  @Test
  void aRestartedSidecarDrawsTheSameCurves(@TempDir Path dir) {
    RegistryLimits limits = new RegistryLimits(10, 50);
    String before;
    try (RunRegistry r = RunRegistry.open(JournalStore.open(dir), limits)) {
      r.create(spec("kept"));
      for (long t = 1; t <= 300; t++) {
        r.submit("kept", report(t));
      }
      r.rewind("kept", 260);
      for (long t = 261; t <= 290; t++) {
        r.submit("kept", report(t));
      }
      before = curves(r);
    }
    try (RunRegistry r = RunRegistry.open(JournalStore.open(dir), limits)) {
      assertEquals(before, curves(r));
    }
  }

  @Test
  void valuesAreWrittenAsTheFloatsTheyAre() throws Exception {
    registry.create(new RunSpec("floats", List.of("a", "b"), "uniform", Map.of(), 1, Map.of()));
    registry.submit("floats", new RankReport(1, 0, Map.of("a", 0.1, "b", 0.7), null, null, null));
    String body = get("/v1/runs/floats/series", TOKEN).body();
    assertTrue(body.contains("{\"label\":\"a\",\"values\":[0.1]}"), body);
  }

  static String curves(RunRegistry r) {
    return new String(
        WireJson.write(
            r.series("kept", (run, s) -> SeriesBodies.of(run, s.downsample(StepSeries.BUCKETS)))));
  }
}
