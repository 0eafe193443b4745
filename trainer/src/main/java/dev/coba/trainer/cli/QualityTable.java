package dev.coba.trainer.cli;

import dev.coba.trainer.bench.QualityBenchmark.Measure;
import dev.coba.trainer.bench.QualityBenchmark.Row;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What {@code bench train quality} prints: one block per measure (mean ± sd over seeds, each
 * seed's value, and on how many seeds the method beat uniform on that seed), then each task's
 * exact match and the worst task against uniform.
 */
final class QualityTable {
  private QualityTable() {}

  static void print(
      List<Row> rows, List<Long> seeds, long steps, List<String> tasks, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "fixed budget: every method trains %d steps; mean ± sd over seeds %s; vs uniform: on "
            + "how many seeds the method did better than uniform on the same seed%n",
        steps,
        seedList(seeds));
    block(
        out,
        "mean test-loss ratio at the selected checkpoint (lower is better)",
        rows,
        seeds,
        Row::testLossRatio,
        "%.4f");
    block(
        out,
        "mean exact match at the selected checkpoint (higher is better)",
        rows,
        seeds,
        Row::exactMatch,
        "%.4f");
    block(
        out,
        "mean over tasks of how far each ends above its own best validation-loss ratio (lower is better)",
        rows,
        seeds,
        Row::endAboveBest,
        "%.4f");
    block(
        out,
        "best-step spread: the last minus the first of the tasks' best steps (lower is better)",
        rows,
        seeds,
        Row::bestStepSpread,
        "%.0f");
    out.println();
    out.println(
        "exact match per task, mean over seeds; worst: the lowest of a task's minus uniform's, in points");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-12s", "method"));
    tasks.forEach(t -> header.append(String.format(Locale.ROOT, " %8s", t)));
    out.println(header.append(String.format(Locale.ROOT, " %8s %9s", "worst", "s/step")));
    for (Row r : rows) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-12s", r.method()));
      for (String t : tasks) {
        Double v = r.taskExactMatch().get(t);
        line.append(
            String.format(
                Locale.ROOT,
                " %" + Math.max(8, t.length()) + "s",
                v == null ? "-" : String.format(Locale.ROOT, "%.4f", v)));
      }
      Double worst = r.worstTaskVersusUniform();
      line.append(
          String.format(
              Locale.ROOT,
              " %8s %9.4f",
              worst == null ? "-" : String.format(Locale.ROOT, "%+.1f", 100 * worst),
              r.meanSecondsPerStep()));
      out.println(line);
    }
  }

  private static void block(
      PrintWriter out,
      String title,
      List<Row> rows,
      List<Long> seeds,
      Function<Row, Measure> measure,
      String format) {
    out.println();
    out.println(title);
    StringBuilder header =
        new StringBuilder(String.format(Locale.ROOT, "%-12s %19s", "method", "mean ± sd"));
    seeds.forEach(s -> header.append(String.format(Locale.ROOT, " %9s", "seed " + s)));
    out.println(header.append(String.format(Locale.ROOT, " %11s", "vs uniform")));
    for (Row r : rows) {
      Measure m = measure.apply(r);
      StringBuilder line =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%-12s %19s",
                  r.method(),
                  String.format(Locale.ROOT, format + " ± " + format, m.mean(), m.sd())));
      m.perSeed()
          .forEach(
              v ->
                  line.append(
                      String.format(Locale.ROOT, " %9s", String.format(Locale.ROOT, format, v))));
      long ties = m.versusUniform().stream().filter("tie"::equals).count();
      line.append(
          String.format(
              Locale.ROOT,
              " %11s",
              m.versusUniform().isEmpty()
                  ? "-"
                  : m.wins()
                      + " of "
                      + m.versusUniform().size()
                      + (ties == 0 ? "" : ", " + ties + " tied")));
      out.println(line);
    }
  }

  private static String seedList(List<Long> seeds) {
    return String.join(", ", seeds.stream().map(String::valueOf).toList());
  }
}
