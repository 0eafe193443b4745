package dev.coba.sidecar.dashboard;

import dev.coba.sidecar.runs.Downsampled;
import dev.coba.sidecar.runs.RunView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Series} of openapi.yaml: a run's curves downsampled on the server, what the dashboard
 * polls. Lines are arrays in the run's task order (not objects keyed by task: a browser reorders
 * integer-like keys); a missing value is null.
 */
public record SeriesBody(
    String runId,
    String method,
    List<String> tasks,
    Long step,
    long stepsPerPoint,
    List<Long> steps,
    List<ChartBody> charts) {

  /** {@code SeriesChart}. */
  public record ChartBody(String name, boolean perTask, List<LineBody> lines) {}

  /** {@code SeriesLine}. */
  public record LineBody(String label, List<Float> values) {}

  static SeriesBody of(RunView run, Downsampled d) {
    List<Long> steps = new ArrayList<>(d.steps().length);
    for (long s : d.steps()) {
      steps.add(s);
    }
    List<ChartBody> charts = d.charts().stream().map(c -> new ChartBody(c.name(), c.perTask(),
        c.lines().stream().map(l -> new LineBody(l.label(), nullForNaN(l.values()))).toList())).toList();
    return new SeriesBody(run.spec().runId(), run.spec().method(), run.spec().tasks(), run.step(),
        d.stepsPerPoint(), steps, charts);
  }

  private static List<Float> nullForNaN(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(Float.isNaN(v) ? null : v);
    }
    return out;
  }
}
