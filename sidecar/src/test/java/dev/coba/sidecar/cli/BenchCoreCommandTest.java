package dev.coba.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.sidecar.CliRun;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCoreCommandTest {
  private static final List<String> KEYS =
      List.of(
          "method",
          "tasks",
          "history",
          "steps",
          "median_us",
          "p99_us",
          "max_us",
          "mean_us",
          "retained_bytes_per_run",
          "jvm",
          "cores");

  @Test
  void printsOneLineWithEveryKey() {
    CliRun r =
        CliRun.run(
            "",
            "bench",
            "core",
            "--method",
            "coba",
            "--steps",
            "200",
            "--tasks",
            "3",
            "--history",
            "20",
            "--warmup-runs",
            "1",
            "--retained-runs",
            "20");
    assertEquals(0, r.code(), r::toString);
    List<JsonNode> lines = r.jsonLines();
    assertEquals(1, lines.size(), r::toString);
    JsonNode line = lines.get(0);
    for (String key : KEYS) {
      assertTrue(line.has(key), "missing " + key + " in " + line);
    }
    assertEquals("coba", line.get("method").asText());
    assertEquals(3, line.get("tasks").intValue());
    assertEquals(20, line.get("history").intValue());
    assertEquals(200, line.get("steps").intValue());
    for (String key :
        List.of("median_us", "p99_us", "max_us", "mean_us", "retained_bytes_per_run", "cores")) {
      assertTrue(
          line.get(key).isNumber() && line.get(key).doubleValue() > 0,
          key + " must be positive: " + line);
    }
    assertTrue(
        line.get("median_us").doubleValue() <= line.get("p99_us").doubleValue(), line::toString);
    assertTrue(
        line.get("p99_us").doubleValue() <= line.get("max_us").doubleValue(), line::toString);
    assertTrue(line.get("jvm").asText().length() > 0, line::toString);
  }

  @Test
  void aMethodWithoutHistoryRunsWhenHistoryIsNotAsked() {
    CliRun r =
        CliRun.run(
            "",
            "bench",
            "core",
            "--method",
            "uniform",
            "--steps",
            "50",
            "--tasks",
            "2",
            "--warmup-runs",
            "0",
            "--retained-runs",
            "2");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.jsonLines().get(0).get("history").isNull(), r::toString);
  }

  @Test
  void historyForAMethodWithoutItIsBadInput() {
    CliRun r = CliRun.run("", "bench", "core", "--method", "uniform", "--history", "20");
    assertEquals(2, r.code(), r::toString);
    assertTrue(
        r.err().contains("--history: --history sets the parameter historyLength"), r::toString);
    assertEquals("", r.out());
  }

  @Test
  void outOfRangeCountsAreUsageErrors() {
    for (String[] args :
        List.of(
            new String[] {"--tasks", "0"},
            new String[] {"--steps", "0"},
            new String[] {"--retained-runs", "0"},
            new String[] {"--history", "1"})) {
      String[] all = new String[args.length + 2];
      all[0] = "bench";
      all[1] = "core";
      System.arraycopy(args, 0, all, 2, args.length);
      CliRun r = CliRun.run("", all);
      assertEquals(2, r.code(), r::toString);
      assertTrue(
          r.err().contains(args[0].equals("--history") ? "params.historyLength" : args[0]),
          r::toString);
    }
  }
}
