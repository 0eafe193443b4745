package dev.coba.sidecar.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Report;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleRunTest {

  @Test
  void bundledFileIsWhatTheGeneratorWrites() throws Exception {
    String bundled;
    try (var in = ExampleRun.open()) {
      bundled = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(
        String.join("\n", ExampleRun.lines()) + "\n",
        bundled,
        "regenerate the example with ExampleRun.main (see its javadoc)");
  }

  @Test
  void showsAnOverfittingTaskAndAnEarlyConvergingOne() throws Exception {
    ReplayLog log;
    try (var in =
        new BufferedReader(new InputStreamReader(ExampleRun.open(), StandardCharsets.UTF_8))) {
      log = ReplayReader.read(in);
    }
    assertEquals(List.of("python", "java", "cpp", "sql", "go"), log.tasks());
    assertEquals(ExampleRun.STEPS, log.reports().size());
    assertTrue(
        mean(log, "cpp", 380, 400) > mean(log, "cpp", 200, 220) + 0.15,
        "cpp overfits after step 220");
    assertTrue(
        Math.abs(mean(log, "sql", 380, 400) - mean(log, "sql", 130, 150)) < 0.02,
        "sql has converged by 150");
    assertTrue(mean(log, "go", 380, 400) < mean(log, "go", 130, 150) - 0.1, "go still improves");
  }

  private static double mean(ReplayLog log, String task, int fromStep, int toStep) {
    return log.reports().stream()
        .map(LineReport::report)
        .filter(r -> r.step() > fromStep && r.step() <= toStep)
        .mapToDouble(r -> r.valLosses().get(task))
        .average()
        .orElseThrow();
  }

  @Test
  void linesCountFromOneWithTheHeader() {
    List<LineReport> reports = ExampleRun.lines().isEmpty() ? List.of() : readAll().reports();
    assertEquals(2, reports.get(0).line());
    Report first = reports.get(0).report();
    assertEquals(1, first.step());
  }

  private static ReplayLog readAll() {
    try (var in =
        new BufferedReader(new InputStreamReader(ExampleRun.open(), StandardCharsets.UTF_8))) {
      return ReplayReader.read(in);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
