package dev.coba.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.results.TaskResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's summary over seeds, on hand-made results: means, sds and the paired comparison. */
class QualityBenchmarkTest {

  private static MethodResult method(
      double ratio, double copyExact, double addExact, double above, double spread) {
    Map<String, TaskResult> tasks = new LinkedHashMap<>();
    tasks.put("copy", new TaskResult(100, 0.5, 0.6, above, 5.0, 1.0, ratio, copyExact, 0.9));
    tasks.put("add", new TaskResult(100, 0.5, 0.6, above, 5.0, 1.0, ratio, addExact, 0.9));
    return new MethodResult(
        100,
        ratio,
        ratio,
        MethodResult.meanExactMatch(tasks),
        null,
        spread,
        above,
        0.05,
        1500,
        false,
        false,
        0,
        0,
        tasks,
        List.of(),
        List.of(),
        List.of());
  }

  private static Results seed(MethodResult uniform, MethodResult coba) {
    Map<String, MethodResult> m = new LinkedHashMap<>();
    m.put("uniform", uniform);
    m.put("coba", coba);
    return new Results(Map.of(), List.of("copy", "add"), m);
  }

  @Test
  void meansSdsAndPerSeedWinsAgainstUniform() {
    List<Results> perSeed =
        List.of(
            seed(method(0.40, 0.50, 0.10, 0.20, 400), method(0.30, 0.60, 0.10, 0.10, 900)),
            seed(method(0.50, 0.40, 0.20, 0.30, 500), method(0.50, 0.50, 0.30, 0.40, 800)),
            seed(method(0.60, 0.60, 0.30, 0.10, 600), method(0.70, 0.70, 0.20, 0.05, 700)));
    List<QualityBenchmark.Row> rows =
        QualityBenchmark.summarise(List.of("uniform", "coba"), perSeed);
    QualityBenchmark.Row uniform = rows.get(0);
    QualityBenchmark.Row coba = rows.get(1);

    assertEquals(0.5, uniform.testLossRatio().mean(), 1e-12);
    assertEquals(0.1, uniform.testLossRatio().sd(), 1e-12); // sqrt((0.01 + 0 + 0.01) / 2)
    assertEquals(List.of(), uniform.testLossRatio().versusUniform());
    assertEquals(0.5, coba.testLossRatio().mean(), 1e-12);
    assertEquals(0.2, coba.testLossRatio().sd(), 1e-12); // sqrt((0.04 + 0 + 0.04) / 2)
    assertEquals(List.of("better", "tie", "worse"), coba.testLossRatio().versusUniform());
    assertEquals(1, coba.testLossRatio().wins());
    // exact match, higher is better; mean of copy and add per seed: 0.35, 0.40, 0.45 against 0.30,
    // 0.30, 0.45
    assertEquals(
        List.of(0.35, 0.4, 0.45),
        coba.exactMatch().perSeed().stream().map(v -> Math.round(v * 100) / 100.0).toList());
    assertEquals(List.of("better", "better", "tie"), coba.exactMatch().versusUniform());
    assertEquals(List.of("better", "worse", "better"), coba.endAboveBest().versusUniform());
    assertEquals(800, coba.bestStepSpread().mean(), 1e-12);
    assertEquals(List.of("worse", "worse", "worse"), coba.bestStepSpread().versusUniform());
    // per task over seeds: copy 0.6 against 0.5, add 0.2 against 0.2: the worst is add, 0 points
    assertEquals(0.6, coba.taskExactMatch().get("copy"), 1e-12);
    assertEquals(0.2, coba.taskExactMatch().get("add"), 1e-12);
    assertEquals(0.0, coba.worstTaskVersusUniform(), 1e-12);
    assertNull(uniform.worstTaskVersusUniform());
    assertEquals(0.05, coba.meanSecondsPerStep(), 1e-15);
  }
}
