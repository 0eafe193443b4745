package dev.coba.trainer.report;

import static dev.coba.trainer.report.HtmlText.escape;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.trainer.report.ReportCharts.MethodCharts;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.results.TaskResult;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The page of {@code report.html}: one self-contained HTML5 document (inline CSS, no script, no
 * external font), every text escaped. Each number in the tables shows four significant digits and
 * carries its exact value in {@code data-value} (and {@code title}, shown on hover), so that the page
 * can be checked against {@code results.json}.
 */
final class HtmlReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CSS =
      """
            body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }
            h1, h2, h3 { font-weight: 600; }
            table { border-collapse: collapse; margin: 1em 0; }
            th, td { border: 1px solid #bbb; padding: 0.3em 0.6em; }
            th { background: #eee; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            td.best { background: #d4f4d4; font-weight: 600; }
            td.missing { color: #888; text-align: center; }
            td.warn, p.warn { background: #fde2c8; font-weight: 600; }
            figure { margin: 1em 0; }
            img { max-width: 100%; height: auto; border: 1px solid #ddd; }
            p.none { color: #666; font-style: italic; }
            """;

  private HtmlReport() {}

  static String render(Results results, ReportCharts charts) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Training run report</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n")
        .append("</head>\n<body>\n<h1>Training run report</h1>\n");
    if (charts.failure() != null) {
      html.append("<p class=\"warn\">Charts are missing: this machine could not draw them (")
          .append(escape(charts.failure()))
          .append(
              "). Every number is in the tables and in results.json. "
                  + "To get the charts, install fonts (e.g. the fontconfig and fonts-dejavu-core packages) "
                  + "and run the same command again: the finished methods are read back, not "
                  + "retrained.</p>\n");
    }
    settings(html, results.settings());
    comparison(html, results);
    html.append("<h2>Mean validation-loss ratio</h2>\n");
    figure(
        html,
        charts.meanRatios(),
        "Mean over tasks of valLoss(step) / valLoss(0), one line per method",
        "No method has validation points, so there is no chart.");
    html.append(
        "<h2>Per method</h2>\n<p>Validation-loss ratios valLoss(step) / valLoss(0) are min-max "
            + "normalised per task to [0, 1], as in the CoBa paper's Figure 9; a diamond marks each task's "
            + "own best step.</p>\n");
    int index = 0;
    for (Map.Entry<String, MethodResult> entry : results.methods().entrySet()) {
      method(html, ++index, entry.getKey(), charts.of(entry.getKey()));
    }
    return html.append("</body>\n</html>\n").toString();
  }

  private static void settings(StringBuilder html, Map<String, Object> settings) {
    html.append("<h2>Settings</h2>\n");
    if (settings.isEmpty()) {
      html.append("<p class=\"none\">No settings recorded.</p>\n");
      return;
    }
    html.append("<table class=\"settings\">\n<tbody>\n");
    settings.forEach(
        (key, value) ->
            html.append("<tr><th scope=\"row\">")
                .append(escape(key))
                .append("</th><td>")
                .append(escape(settingText(value)))
                .append("</td></tr>\n"));
    html.append("</tbody>\n</table>\n");
  }

  /** Scalars as they read in JSON; lists and objects as compact JSON. */
  private static String settingText(Object value) {
    if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
      try {
        return JSON.writeValueAsString(value);
      } catch (JsonProcessingException e) {
        return String.valueOf(value);
      }
    }
    return String.valueOf(value);
  }

  private static void comparison(StringBuilder html, Results results) {
    html.append("<h2>Methods compared</h2>\n");
    Collection<MethodResult> methods = results.methods().values();
    if (methods.isEmpty()) {
      html.append("<p class=\"none\">No method ran.</p>\n");
      return;
    }
    fallbackWarnings(html, results);
    boolean anyText = methods.stream().anyMatch(m -> m.meanNextTokenAccuracy() != null);
    html.append(
            "<p>Best step: the selected checkpoint, where the mean validation-loss ratio is lowest. "
                + "Test-loss ratios: test loss there over test loss of the initial model; lower is better. "
                + "Exact match: the share of test examples whose greedy-decoded answer is exactly the reference, "
                + "there; higher is better. A task of plain texts has no answer: next-token accuracy (the share "
                + "of its test tokens the model predicts as most likely) stands in its place. "
                + "Per task, best step: the step of the task's own lowest validation loss; best-step spread: the "
                + "largest minus the smallest of those; ends above best: the mean over tasks of how far a task's "
                + "validation-loss ratio at the last pass is above its own best (its overfitting; compare methods "
                + "on a fixed budget, --no-early-stop). Highlighted: the best value of a column. "
                + "Hover a number for its exact value.</p>\n<table class=\"methods\">\n<thead>\n<tr>")
        .append("<th rowspan=\"2\">Method</th><th rowspan=\"2\">Mean test-loss ratio</th>")
        .append("<th rowspan=\"2\">Mean exact match</th>")
        .append(anyText ? "<th rowspan=\"2\">Mean next-token accuracy (text tasks)</th>" : "")
        .append("<th rowspan=\"2\">Mean validation-loss ratio</th><th rowspan=\"2\">Best step</th>")
        .append("<th rowspan=\"2\">Best-step spread</th><th rowspan=\"2\">Ends above best</th>")
        .append("<th rowspan=\"2\">Seconds per step</th>")
        .append("<th rowspan=\"2\">Steps</th><th rowspan=\"2\">Stopped early</th>")
        .append("<th rowspan=\"2\">Reports unanswered</th>");
    for (String task : results.taskNames()) {
      html.append("<th colspan=\"3\">").append(escape(task)).append("</th>");
    }
    html.append("</tr>\n<tr>");
    results
        .taskNames()
        .forEach(
            task ->
                html.append("<th>Test-loss ratio</th><th>")
                    .append(isText(methods, task) ? "Next-token accuracy" : "Exact match")
                    .append("</th><th>Best step</th>"));
    html.append("</tr>\n</thead>\n<tbody>\n");

    double bestTest = lowest(methods, MethodResult::meanTestLossRatio);
    double bestVal = lowest(methods, MethodResult::meanValLossRatio);
    double bestSpread = lowest(methods, MethodResult::bestStepSpread);
    double bestAbove = lowest(methods, MethodResult::meanEndAboveBest);
    double bestExact =
        highest(methods, m -> m.meanExactMatch() == null ? Double.NaN : m.meanExactMatch());
    double bestAccuracy =
        highest(
            methods,
            m -> m.meanNextTokenAccuracy() == null ? Double.NaN : m.meanNextTokenAccuracy());
    for (Map.Entry<String, MethodResult> entry : results.methods().entrySet()) {
      MethodResult m = entry.getValue();
      html.append("<tr data-method=\"")
          .append(escape(entry.getKey()))
          .append("\"><th scope=\"row\">")
          .append(escape(entry.getKey()))
          .append("</th>");
      number(html, m.meanTestLossRatio(), bestTest);
      optionalNumber(html, m.meanExactMatch(), bestExact);
      if (anyText) {
        optionalNumber(html, m.meanNextTokenAccuracy(), bestAccuracy);
      }
      number(html, m.meanValLossRatio(), bestVal);
      integer(html, m.bestStep());
      number(html, m.bestStepSpread(), bestSpread);
      number(html, m.meanEndAboveBest(), bestAbove);
      number(html, m.secondsPerStep(), Double.NaN);
      integer(html, m.steps());
      html.append("<td data-value=\"")
          .append(m.stoppedEarly())
          .append("\">")
          .append(m.diverged() ? "diverged" : m.stoppedEarly() ? "yes" : "no")
          .append("</td>");
      unanswered(html, m);
      for (String task : results.taskNames()) {
        TaskResult t = m.tasks().get(task);
        if (t == null) {
          html.append("<td class=\"missing\">&ndash;</td>".repeat(3));
        } else {
          number(html, t.testLossRatio(), lowest(methods, task));
          if (t.exactMatch() != null) {
            number(
                html,
                t.exactMatch(),
                highest(
                    with(methods, task),
                    x -> {
                      Double e = x.tasks().get(task).exactMatch();
                      return e == null ? Double.NaN : e;
                    }));
          } else {
            number(
                html,
                t.nextTokenAccuracy(),
                highest(with(methods, task), x -> x.tasks().get(task).nextTokenAccuracy()));
          }
          integer(html, t.bestStep());
        }
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table>\n");
  }

  /** A warning above the table for each method whose weights came mostly from the client's fallback. */
  private static void fallbackWarnings(StringBuilder html, Results results) {
    results
        .methods()
        .forEach(
            (name, m) -> {
              if (m.mostlyFallback()) {
                html.append("<p class=\"warn\">")
                    .append(escape(name))
                    .append(": the balancer did not answer ")
                    .append(m.fallbackReports())
                    .append(" of its ")
                    .append(m.balancerReports())
                    .append(
                        " reports (a sidecar out of reach), so its weights came mostly from the client's "
                            + "fallback, the last weights it had. Its numbers say little about the method.</p>\n");
              }
            });
  }

  /** "n of m" reports the balancer did not answer; a dash for a method without one. */
  private static void unanswered(StringBuilder html, MethodResult m) {
    if (m.balancerReports() == 0) {
      html.append("<td class=\"missing\">&ndash;</td>");
      return;
    }
    html.append("<td class=\"num")
        .append(m.mostlyFallback() ? " warn" : "")
        .append("\" data-value=\"")
        .append(m.fallbackReports())
        .append("\">")
        .append(m.fallbackReports())
        .append(" of ")
        .append(m.balancerReports())
        .append(m.mostlyFallback() ? " (mostly fallback)" : "")
        .append("</td>");
  }

  /** The lowest finite value of a column, or NaN (nothing highlighted) with fewer than two methods. */
  private static double lowest(
      Collection<MethodResult> methods, ToDoubleFunction<MethodResult> column) {
    if (methods.size() < 2) {
      return Double.NaN;
    }
    return methods.stream().mapToDouble(column).filter(Double::isFinite).min().orElse(Double.NaN);
  }

  private static double lowest(Collection<MethodResult> methods, String task) {
    return lowest(with(methods, task), m -> m.tasks().get(task).testLossRatio());
  }

  /** The highest finite value of a column, or NaN (nothing highlighted) with fewer than two methods. */
  private static double highest(
      Collection<MethodResult> methods, ToDoubleFunction<MethodResult> column) {
    if (methods.size() < 2) {
      return Double.NaN;
    }
    return methods.stream()
        .mapToDouble(
            m -> {
              double v = column.applyAsDouble(m);
              return Double.isFinite(v) ? v : Double.NaN;
            })
        .filter(Double::isFinite)
        .max()
        .orElse(Double.NaN);
  }

  /** The methods that have a result for {@code task}. */
  private static java.util.List<MethodResult> with(Collection<MethodResult> methods, String task) {
    return methods.stream().filter(m -> m.tasks().containsKey(task)).toList();
  }

  /** Whether {@code task} is a plain-text task (no exact match) in the results that have it. */
  private static boolean isText(Collection<MethodResult> methods, String task) {
    return with(methods, task).stream().allMatch(m -> m.tasks().get(task).exactMatch() == null)
        && !with(methods, task).isEmpty();
  }

  /** A number, or a dash where there is none (e.g. exact match of a run with text tasks only). */
  private static void optionalNumber(StringBuilder html, Double value, double best) {
    if (value == null) {
      html.append("<td class=\"missing\">&ndash;</td>");
    } else {
      number(html, value, best);
    }
  }

  private static void number(StringBuilder html, double value, double best) {
    String exact = NumberFormatter.exact(value);
    html.append("<td class=\"num")
        .append(value == best ? " best" : "")
        .append("\" data-value=\"")
        .append(exact)
        .append("\" title=\"")
        .append(exact)
        .append("\">")
        .append(NumberFormatter.fourSignificant(value))
        .append("</td>");
  }

  private static void integer(StringBuilder html, long value) {
    html.append("<td class=\"num\" data-value=\"")
        .append(value)
        .append("\">")
        .append(value)
        .append("</td>");
  }

  private static void method(StringBuilder html, int index, String method, MethodCharts charts) {
    html.append("<section id=\"method-")
        .append(index)
        .append("\">\n<h3>")
        .append(escape(method))
        .append("</h3>\n");
    figure(
        html,
        charts.normalisedRatios(),
        method + ": normalised validation-loss ratio per task",
        "No validation points recorded, so no validation-loss chart.");
    figure(
        html,
        charts.weights(),
        method + ": task weights over steps",
        "No weights recorded for this method.");
    figure(
        html,
        charts.df(),
        method + ": divergence factor (DF) over steps",
        "No divergence factor (DF) recorded for this method.");
    html.append("</section>\n");
  }

  private static void figure(
      StringBuilder html, Optional<String> src, String caption, String missing) {
    if (src.isEmpty()) {
      html.append("<p class=\"none\">").append(escape(missing)).append("</p>\n");
      return;
    }
    html.append("<figure><img src=\"")
        .append(escape(src.get()))
        .append("\" width=\"")
        .append(ChartFactory.WIDTH)
        .append("\" height=\"")
        .append(ChartFactory.HEIGHT)
        .append("\" alt=\"")
        .append(escape(caption))
        .append("\"><figcaption>")
        .append(escape(caption))
        .append("</figcaption></figure>\n");
  }
}
