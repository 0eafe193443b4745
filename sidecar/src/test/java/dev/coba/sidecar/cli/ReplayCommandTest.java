package dev.coba.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.sidecar.CliRun;
import dev.coba.sidecar.replay.ExampleRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayCommandTest {
  /** Irregular steps, a task missing from one report, trainLosses that replay passes through. */
  static final String RUN =
      """
      {"step": 10, "valLosses": {"python": 2.0, "java": 2.5, "go": 3.0}}
      {"step": 20, "valLosses": {"python": 1.8, "java": 2.4, "go": 2.9}, "trainLosses": {"python": 1.7}}

      {"step": 30, "valLosses": {"python": 1.7, "java": 2.2}}
      {"step": 45, "valLosses": {"python": 1.55, "java": 2.15, "go": 2.6}}
      {"step": 50, "valLosses": {"python": 1.5, "java": 2.1, "go": 2.65}}
      {"step": 60, "valLosses": {"python": 1.45, "java": 2.0, "go": 2.7}}
      {"step": 70, "valLosses": {"python": 1.44, "java": 1.9, "go": 2.8}}
      {"step": 80, "valLosses": {"python": 1.43, "java": 1.85, "go": 2.95}}
      """;

  static List<Report> runReports() {
    List<Report> out = new ArrayList<>();
    out.add(Report.of(10, map("python", 2.0, "java", 2.5, "go", 3.0)));
    out.add(
        new Report(20, map("python", 1.8, "java", 2.4, "go", 2.9), map("python", 1.7), Map.of()));
    out.add(Report.of(30, map("python", 1.7, "java", 2.2)));
    out.add(Report.of(45, map("python", 1.55, "java", 2.15, "go", 2.6)));
    out.add(Report.of(50, map("python", 1.5, "java", 2.1, "go", 2.65)));
    out.add(Report.of(60, map("python", 1.45, "java", 2.0, "go", 2.7)));
    out.add(Report.of(70, map("python", 1.44, "java", 1.9, "go", 2.8)));
    out.add(Report.of(80, map("python", 1.43, "java", 1.85, "go", 2.95)));
    return out;
  }

  @Test
  void givesExactlyTheCoresNumbers() {
    CliRun r =
        CliRun.run(
            RUN, "replay", "--method", "coba", "--warmup", "3", "--history", "3", "--tau", "2");
    assertEquals(0, r.code(), r::toString);
    Balancer core =
        Methods.create(
            "coba",
            List.of("python", "java", "go"),
            Map.of("warmupSteps", 3L, "historyLength", 3L, "tau", 2.0),
            null);
    assertMatches(core, runReports(), r.jsonLines());
    assertEquals("", r.err());
  }

  @Test
  void mftcoderVariantGivesTheCoresNumbers() {
    CliRun r =
        CliRun.run(
            RUN,
            "replay",
            "--method",
            "coba",
            "--variant",
            "mftcoder",
            "--warmup",
            "3",
            "--history",
            "4");
    assertEquals(0, r.code(), r::toString);
    Balancer core =
        Methods.create(
            "coba",
            List.of("python", "java", "go"),
            Map.of("variant", "mftcoder", "warmupSteps", 3L, "historyLength", 4L),
            null);
    List<JsonNode> lines = r.jsonLines();
    assertMatches(core, runReports(), lines);
    assertTrue(lines.get(lines.size() - 1).has("maxRatioSlope"), r::toString);
  }

  @Test
  void paramOptionReachesAnyMethod() {
    CliRun r = CliRun.run(RUN, "replay", "--method", "lbtw", "--param", "b=1.0");
    assertEquals(0, r.code(), r::toString);
    Balancer core = Methods.create("lbtw", List.of("python", "java", "go"), Map.of("b", 1.0), null);
    assertMatches(core, runReports(), r.jsonLines());
  }

  @Test
  void headerFixesTaskOrderAndInitialLosses() {
    String input =
        "{\"tasks\": [\"go\", \"python\", \"java\"], \"initialLosses\": {\"python\": 2.2, \"go\": 3.1}}\n"
            + RUN;
    CliRun r = CliRun.run(input, "replay", "--method", "coba", "--warmup", "0", "--history", "3");
    assertEquals(0, r.code(), r::toString);
    Balancer core =
        Methods.create(
            "coba",
            List.of("go", "python", "java"),
            Map.of("warmupSteps", 0L, "historyLength", 3L),
            Map.of("python", 2.2, "go", 3.1));
    List<JsonNode> lines = r.jsonLines();
    assertMatches(core, runReports(), lines);
    assertEquals(List.of("go", "python", "java"), names(lines.get(0).get("weights")));
  }

  @Test
  void withoutHeaderTasksKeepTheirOrderOfFirstAppearance() {
    String input =
        """
        {"step": 1, "valLosses": {"b": 2.0}, "trainLosses": {"c": 1.0, "b": 1.0}}
        {"step": 2, "valLosses": {"a": 1.5, "b": 1.9}}
        {"step": 3, "valLosses": {"a": 1.4, "b": 1.8, "c": 1.2}}
        """;
    CliRun r = CliRun.run(input, "replay", "--method", "uniform");
    assertEquals(0, r.code(), r::toString);
    List<JsonNode> lines = r.jsonLines();
    assertEquals(3, lines.size());
    for (JsonNode line : lines) {
      // all tasks are known from the first line on, because replay reads the whole input first
      assertEquals(List.of("b", "c", "a"), names(line.get("weights")));
      assertEquals(1.0 / 3, line.get("weights").get("a").doubleValue());
    }
  }

  @Test
  void readsAFileAndStandardInputAlike(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("run.jsonl");
    Files.writeString(file, RUN, StandardCharsets.UTF_8);
    CliRun fromFile = CliRun.run("", "replay", "--method", "coba", "--input", file.toString());
    CliRun fromDash = CliRun.run(RUN, "replay", "--method", "coba", "--input", "-");
    CliRun fromStdin = CliRun.run(RUN, "replay", "--method", "coba");
    assertEquals(0, fromFile.code(), fromFile::toString);
    assertEquals(fromStdin.out(), fromFile.out());
    assertEquals(fromStdin.out(), fromDash.out());
    assertEquals(8, fromStdin.jsonLines().size());
  }

  @Test
  void nanDiagnosticsAreWrittenAsNull() {
    CliRun r = CliRun.run(RUN, "replay", "--method", "coba");
    JsonNode third = r.jsonLines().get(2); // go is absent at step 30: no ratio for it
    assertTrue(third.get("ratios").get("go").isNull(), r::toString);
    assertTrue(third.get("ratios").get("python").isNumber(), r::toString);
  }

  @Test
  void aBadLineFoundWhileReadingPrintsNothing() {
    String input = RUN + "{\"step\": 90, \"valLosses\": {\"python\": -1}}\n";
    CliRun r = CliRun.run(input, "replay", "--method", "coba");
    assertEquals(2, r.code(), r::toString);
    assertEquals("", r.out(), "the whole input is checked before the first update");
    assertTrue(r.err().contains("line 10: valLosses.python"), r::toString);
  }

  @Test
  void aReportTheMethodRefusesStopsAfterTheEarlierLines() {
    String input =
        "{\"step\": 1, \"valLosses\": {\"a\": 1.0}}\n{\"step\": 2, \"valLosses\": {}}\n{\"step\": 3, \"valLosses\": {\"a\": 1.0}}\n";
    CliRun r = CliRun.run(input, "replay", "--method", "coba");
    assertEquals(2, r.code(), r::toString);
    assertEquals(1, r.jsonLines().size(), r::toString);
    assertTrue(r.err().contains("line 2: valLosses"), r::toString);
  }

  @Test
  void bundledExampleRuns() {
    CliRun r = CliRun.run("", "replay", "--method", "coba", "--example");
    assertEquals(0, r.code(), r::toString);
    List<JsonNode> lines = r.jsonLines();
    assertEquals(ExampleRun.STEPS, lines.size());
    for (JsonNode line : lines) {
      double sum = 0;
      for (JsonNode w : line.get("weights")) {
        assertTrue(w.doubleValue() > 0, line::toString);
        sum += w.doubleValue();
      }
      assertEquals(1.0, sum, 1e-12);
    }
    JsonNode last = lines.get(lines.size() - 1).get("weights");
    assertTrue(
        last.get("cpp").doubleValue() < 0.2, "the overfitting task is weighted down: " + last);
  }

  @Test
  void exampleAndInputAreMutuallyExclusive() {
    CliRun r = CliRun.run("", "replay", "--method", "coba", "--example", "--input", "x.jsonl");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("mutually exclusive"), r::toString);
  }

  @Test
  void missingFileIsBadInput() {
    CliRun r = CliRun.run("", "replay", "--method", "coba", "--input", "/no/such/file.jsonl");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("--input: no such file: /no/such/file.jsonl"), r::toString);
  }

  /** Each line must be exactly what the core answers to the same report, and nothing else. */
  static void assertMatches(Balancer core, List<Report> reports, List<JsonNode> lines) {
    assertEquals(reports.size(), lines.size());
    for (int i = 0; i < reports.size(); i++) {
      Update u = core.update(reports.get(i));
      JsonNode line = lines.get(i);
      List<String> expectedKeys = new ArrayList<>(List.of("step", "weights", "objective"));
      expectedKeys.addAll(u.taskDiagnostics().keySet());
      expectedKeys.addAll(u.diagnostics().keySet());
      assertEquals(expectedKeys, names(line), line::toString);
      assertEquals(u.step(), line.get("step").longValue());
      assertEquals(u.objective().wireName(), line.get("objective").asText());
      assertTasks(u.weights().tasks(), u.weights().values(), line.get("weights"));
      u.taskDiagnostics()
          .forEach((name, values) -> assertTasks(u.weights().tasks(), values, line.get(name)));
      u.diagnostics().forEach((name, value) -> assertValue(value, line.get(name), name));
    }
  }

  private static void assertTasks(List<String> tasks, double[] values, JsonNode object) {
    assertEquals(tasks, names(object));
    for (int i = 0; i < tasks.size(); i++) {
      assertValue(values[i], object.get(tasks.get(i)), tasks.get(i));
    }
  }

  private static void assertValue(double expected, JsonNode actual, String what) {
    if (Double.isNaN(expected)) {
      assertTrue(actual.isNull(), what + " should be null, got " + actual);
    } else {
      assertFalse(actual.isNull(), what);
      assertEquals(expected, actual.doubleValue(), what); // exact: full round-trip precision
    }
  }

  static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  static Map<String, Double> map(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return m;
  }
}
