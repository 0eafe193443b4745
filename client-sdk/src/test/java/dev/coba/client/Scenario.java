package dev.coba.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A deterministic loss curve per task: what a trainer would report. */
final class Scenario {
  static final List<String> TASKS = List.of("java", "python", "sql");

  private Scenario() {}

  static RunDefinition run(String id, int worldSize) {
    return RunDefinition.builder(id).tasks(TASKS).method("coba").worldSize(worldSize).build();
  }

  static Map<String, Double> losses(long step, int rank) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < TASKS.size(); i++) {
      double rate = 0.02 + 0.015 * i;
      m.put(
          TASKS.get(i),
          2.0 * Math.exp(-rate * step) + 0.1 * i + 0.01 * rank + 0.003 * Math.sin(step * (i + 1)));
    }
    return m;
  }

  static StepReport report(long step, int rank) {
    return StepReport.builder(step).rank(rank).valLosses(losses(step, rank)).build();
  }
}
