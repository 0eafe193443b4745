package dev.coba.trainer.cli;

import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.results.TaskResult;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The summary {@code train} prints at the end: one line per method, then each task's exact match
 * (its next-token accuracy for a plain-text task, named so) per method, then a warning for a
 * method whose weights came mostly from the client's fallback.
 */
final class ResultsTable {
  private ResultsTable() {}

  static void print(Results results, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%-12s %17s %14s %9s %10s %12s %8s %6s %9s%n",
        "method",
        "meanTestLossRatio",
        "meanExactMatch",
        "bestStep",
        "bestSpread",
        "endAboveBest",
        "s/step",
        "steps",
        "fallback");
    results
        .methods()
        .forEach(
            (name, r) ->
                out.printf(
                    Locale.ROOT,
                    "%-12s %17.4f %14s %9d %10.0f %12.4f %8.4f %6d %9s%n",
                    name,
                    r.meanTestLossRatio(),
                    share(r.meanExactMatch()),
                    r.bestStep(),
                    r.bestStepSpread(),
                    r.meanEndAboveBest(),
                    r.secondsPerStep(),
                    r.steps(),
                    r.balancerReports() == 0
                        ? "-"
                        : r.fallbackReports() + "/" + r.balancerReports()));
    if (results.methods().isEmpty()) {
      return;
    }
    out.println();
    out.println("exact match per task (test split, selected checkpoint):");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-12s", "method"));
    for (String task : results.taskNames()) {
      String label = isText(results, task) ? task + " (next-token accuracy)" : task;
      header.append(' ').append(String.format(Locale.ROOT, "%" + width(label) + "s", label));
    }
    out.println(header);
    results
        .methods()
        .forEach(
            (name, r) -> {
              StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s", name));
              for (String task : results.taskNames()) {
                String label = isText(results, task) ? task + " (next-token accuracy)" : task;
                TaskResult t = r.tasks().get(task);
                String value =
                    t == null
                        ? "-"
                        : share(t.exactMatch() != null ? t.exactMatch() : t.nextTokenAccuracy());
                line.append(' ')
                    .append(String.format(Locale.ROOT, "%" + width(label) + "s", value));
              }
              out.println(line);
            });
    results
        .methods()
        .forEach(
            (name, r) -> {
              if (r.mostlyFallback()) {
                out.printf(
                    Locale.ROOT,
                    "warning: %s: the balancer did not answer %d of %d reports; its weights came "
                        + "mostly from the fallback (the last weights the client had)%n",
                    name,
                    r.fallbackReports(),
                    r.balancerReports());
              }
            });
  }

  private static int width(String label) {
    return Math.max(6, label.length());
  }

  /** A share with 4 decimals, or "-" where there is none. */
  private static String share(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.4f", value);
  }

  /** A task is a text task when no method has an exact match for it. */
  private static boolean isText(Results results, String task) {
    for (Map.Entry<String, MethodResult> e : results.methods().entrySet()) {
      TaskResult t = e.getValue().tasks().get(task);
      if (t != null && t.exactMatch() != null) {
        return false;
      }
    }
    return true;
  }
}
