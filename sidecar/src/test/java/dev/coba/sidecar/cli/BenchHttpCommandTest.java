package dev.coba.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.sidecar.CliRun;
import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench http}, kept short: the keys of its line and ratios that follow from them. */
class BenchHttpCommandTest {
  private static final String[] SHORT = {
    "--clients",
    "2",
    "--tasks",
    "3",
    "--requests",
    "20",
    "--seconds",
    "1",
    "--warmup-requests",
    "10",
    "--warmup-seconds",
    "0",
    "--max-warmup-seconds",
    "0"
  };

  @Test
  void inProcessComparesTheSidecarWithATrivialRoute() {
    JsonNode line = oneLine(CliRun.run("", concat(new String[] {"bench", "http"}, SHORT)));
    check(line, "trivial");
    assertEquals("journal (fsync per group commit)", line.get("store").asText());
  }

  @Test
  void anExternalSidecarIsComparedWithItsHealthz() {
    RunRegistry registry = RunRegistry.open(new MemoryStore(), RegistryLimits.defaults());
    try (SidecarServer server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", 0, null))
            .start()) {
      String url = "http://127.0.0.1:" + server.port();
      check(
          oneLine(CliRun.run("", concat(new String[] {"bench", "http", "--url", url}, SHORT))),
          "healthz");
      assertTrue(registry.views().size() >= 3, "the bench creates its runs on that sidecar");
    } finally {
      registry.close();
    }
  }

  private static void check(JsonNode line, String trivial) {
    for (String key :
        List.of(
            "sidecar_median_us",
            "sidecar_p99_us",
            "sidecar_reports_per_s",
            trivial + "_median_us",
            trivial + "_p99_us",
            trivial + "_requests_per_s",
            "median_ratio",
            "throughput_ratio")) {
      assertTrue(
          line.has(key) && line.get(key).doubleValue() > 0,
          "missing or not positive: " + key + " in " + line);
    }
    for (String name : List.of("sidecar", trivial)) {
      // no warm-up time: no plateau can be claimed
      assertTrue(line.get(name + "_warmup_s").isNumber(), line::toString);
      assertEquals(false, line.get(name + "_steady").asBoolean(), line::toString);
    }
    double median =
        line.get("sidecar_median_us").doubleValue()
            / line.get(trivial + "_median_us").doubleValue();
    assertEquals(
        Math.round(median * 1000) / 1000.0,
        line.get("median_ratio").doubleValue(),
        1e-9,
        line::toString);
    double rate =
        line.get("sidecar_reports_per_s").doubleValue()
            / line.get(trivial + "_requests_per_s").doubleValue();
    assertEquals(
        Math.round(rate * 1000) / 1000.0,
        line.get("throughput_ratio").doubleValue(),
        1e-9,
        line::toString);
  }

  @Test
  void aMostBelowTheLeastIsRefused() {
    CliRun r =
        CliRun.run("", "bench", "http", "--warmup-seconds", "20", "--max-warmup-seconds", "10");
    assertEquals(2, r.code(), r::toString);
    assertTrue(
        r.err().contains("--max-warmup-seconds (10) must be at least --warmup-seconds (20)"),
        r::toString);
  }

  private static JsonNode oneLine(CliRun r) {
    assertEquals(0, r.code(), r::toString);
    List<JsonNode> lines = r.jsonLines();
    assertEquals(1, lines.size(), r::toString);
    return lines.get(0);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
