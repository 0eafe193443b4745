package dev.coba.sidecar.runs;

import java.util.List;

/**
 * A run's curves at a bounded number of points: the step of each point, and per chart its
 * lines, each a value per point (NaN where the line has none).
 *
 * @param stepsPerPoint completed steps each point stands for
 */
public record Downsampled(long stepsPerPoint, long[] steps, List<ChartPoints> charts) {

  /** One chart: a line per task ({@code perTask}) or one line, the scalar named like the chart. */
  public record ChartPoints(String name, boolean perTask, List<Line> lines) {}

  /** One line of a chart: floats, as kept (written as such, e.g. 0.1 and not 0.10000000149011612). */
  public record Line(String label, float[] values) {}
}
