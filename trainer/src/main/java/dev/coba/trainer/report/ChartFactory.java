package dev.coba.trainer.report;

import dev.coba.trainer.results.DfPoint;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.TaskResult;
import dev.coba.trainer.results.WeightPoint;
import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Builds the report's line charts, one line per task (or per method). Each returns empty when there
 * is nothing to draw (no points, or no finite value in any line), so that the page can say so
 * instead of showing an empty plot.
 */
final class ChartFactory {
  static final int WIDTH = 800;
  static final int HEIGHT = 400;

  private ChartFactory() {}

  /**
   * The paper's Figure 9 for one method: each task's validation-loss ratio min-max normalised to
   * [0, 1], with a diamond at the task's own best step.
   */
  static Optional<XYChart> normalisedRatios(
      String method, List<String> tasks, MethodResult result) {
    XYChart chart =
        chart(
            method + ": normalised validation-loss ratio per task",
            "normalised valLoss(step) / valLoss(0)");
    double[] steps = LossRatios.steps(result.validation());
    for (String task : tasks) {
      double[] normalised =
          LossRatios.minMaxNormalise(LossRatios.ratios(result.validation(), task));
      TaskResult taskResult = result.tasks().get(task);
      addLine(chart, task, steps, normalised)
          .ifPresent(
              line -> {
                if (taskResult != null) {
                  markBestStep(chart, line, steps, normalised, taskResult.bestStep());
                }
              });
    }
    return nonEmpty(chart);
  }

  /** The weights the balancer gave each task over the steps. */
  static Optional<XYChart> weights(String method, List<String> tasks, List<WeightPoint> weights) {
    XYChart chart = chart(method + ": task weights", "weight");
    double[] steps = weights.stream().mapToDouble(WeightPoint::step).toArray();
    for (String task : tasks) {
      double[] values =
          weights.stream()
              .mapToDouble(point -> point.weights().getOrDefault(task, Double.NaN))
              .toArray();
      addLine(chart, task, steps, values);
    }
    return nonEmpty(chart);
  }

  /** CoBa's divergence factor over the steps. */
  static Optional<XYChart> df(String method, List<DfPoint> df) {
    XYChart chart = chart(method + ": divergence factor (DF)", "DF");
    addLine(
        chart,
        "DF",
        df.stream().mapToDouble(DfPoint::step).toArray(),
        df.stream().mapToDouble(DfPoint::df).toArray());
    chart.getStyler().setLegendVisible(false);
    return nonEmpty(chart);
  }

  /** The mean over tasks of the validation-loss ratio (not normalised), one line per method. */
  static Optional<XYChart> meanRatios(Map<String, MethodResult> methods, List<String> tasks) {
    XYChart chart =
        chart("Mean validation-loss ratio of each method", "mean valLoss(step) / valLoss(0)");
    methods.forEach(
        (method, result) ->
            addLine(
                chart,
                method,
                LossRatios.steps(result.validation()),
                LossRatios.meanRatios(result.validation(), tasks)));
    return nonEmpty(chart);
  }

  private static XYChart chart(String title, String yAxisTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("step")
            .yAxisTitle(yAxisTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    return chart;
  }

  /**
   * Adds a line in the next colour of the palette, unless it has no finite value (XChart cannot
   * scale an axis on NaN alone). A lone point gets a marker, as it draws no line.
   */
  private static Optional<XYSeries> addLine(XYChart chart, String name, double[] x, double[] y) {
    if (Arrays.stream(y).noneMatch(Double::isFinite)) {
      return Optional.empty();
    }
    long lines = chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).count();
    Color[] palette = chart.getStyler().getSeriesColors();
    Color color = palette[(int) (lines % palette.length)];
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(x.length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setMarkerColor(color);
    return Optional.of(series);
  }

  /** A diamond in the line's colour at {@code bestStep}, if the line has a finite point there. */
  private static void markBestStep(
      XYChart chart, XYSeries line, double[] steps, double[] y, long bestStep) {
    for (int i = 0; i < steps.length; i++) {
      if (steps[i] == bestStep && Double.isFinite(y[i])) {
        // '/' cannot occur in a task name taken from a file name, so this never clashes
        XYSeries best =
            chart.addSeries("best/" + line.getName(), new double[] {steps[i]}, new double[] {y[i]});
        best.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        best.setMarker(SeriesMarkers.DIAMOND);
        best.setMarkerColor(line.getMarkerColor());
        best.setShowInLegend(false);
        return;
      }
    }
  }

  private static Optional<XYChart> nonEmpty(XYChart chart) {
    return chart.getSeriesMap().isEmpty() ? Optional.empty() : Optional.of(chart);
  }
}
