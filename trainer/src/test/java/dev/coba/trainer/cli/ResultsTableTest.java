package dev.coba.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.results.TaskResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultsTableTest {

  private static MethodResult method(
      double copyExact, double addExact, double notesAccuracy, long reports, long fallbacks) {
    Map<String, TaskResult> tasks = new LinkedHashMap<>();
    tasks.put("copy", new TaskResult(100, 0.5, 0.6, 0.02, 5.0, 1.0, 0.2, copyExact, 0.9));
    tasks.put("add", new TaskResult(200, 0.7, 0.7, 0, 5.0, 2.0, 0.4, addExact, 0.8));
    tasks.put("notes", new TaskResult(300, 1.2, 1.5, 0.06, 5.0, 3.0, 0.6, null, notesAccuracy));
    return new MethodResult(
        250,
        0.41,
        0.4,
        MethodResult.meanExactMatch(tasks),
        MethodResult.meanNextTokenAccuracy(tasks),
        200,
        0.04,
        0.05,
        400,
        true,
        false,
        reports,
        fallbacks,
        tasks,
        List.of(),
        List.of(),
        List.of());
  }

  @Test
  void printsEachMethodsMeansThenEachTasksExactMatchOrNextTokenAccuracy() {
    Map<String, MethodResult> methods = new LinkedHashMap<>();
    methods.put("uniform", method(0.5, 0.25, 0.3, 0, 0));
    methods.put("coba", method(0.75, 0.5, 0.35, 40, 30));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ResultsTable.print(
        new Results(Map.of(), List.of("copy", "add", "notes"), methods),
        new PrintStream(bytes, true, StandardCharsets.UTF_8));
    // mean exact match: over copy and add only (notes is a text task): (0.5 + 0.25) / 2, (0.75 +
    // 0.5) / 2
    assertEquals(
        """
                method       meanTestLossRatio meanExactMatch  bestStep bestSpread endAboveBest   s/step  steps  fallback
                uniform                 0.4000         0.3750       250        200       0.0400   0.0500    400         -
                coba                    0.4000         0.6250       250        200       0.0400   0.0500    400     30/40

                exact match per task (test split, selected checkpoint):
                method         copy    add notes (next-token accuracy)
                uniform      0.5000 0.2500                      0.3000
                coba         0.7500 0.5000                      0.3500
                warning: coba: the balancer did not answer 30 of 40 reports; its weights came mostly from the \
                fallback (the last weights the client had)
                """,
        bytes.toString(StandardCharsets.UTF_8));
  }
}
