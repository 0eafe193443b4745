package dev.coba.sidecar.dashboard;

import dev.coba.protocol.Wire.SeriesBody;
import dev.coba.protocol.Wire.SeriesChartBody;
import dev.coba.protocol.Wire.SeriesLineBody;
import dev.coba.sidecar.runs.Downsampled;
import dev.coba.sidecar.runs.RunView;
import java.util.ArrayList;
import java.util.List;

/** A run's downsampled curves as the protocol's {@link SeriesBody}: NaN (no value) becomes null. */
final class SeriesBodies {
  private SeriesBodies() {}

  static SeriesBody of(RunView run, Downsampled d) {
    List<Long> steps = new ArrayList<>(d.steps().length);
    for (long s : d.steps()) {
      steps.add(s);
    }
    List<SeriesChartBody> charts =
        d.charts().stream()
            .map(
                c ->
                    new SeriesChartBody(
                        c.name(),
                        c.perTask(),
                        c.lines().stream()
                            .map(l -> new SeriesLineBody(l.label(), nullForNaN(l.values())))
                            .toList()))
            .toList();
    return new SeriesBody(
        run.spec().runId(),
        run.spec().method(),
        run.spec().tasks(),
        run.step(),
        d.stepsPerPoint(),
        steps,
        charts);
  }

  private static List<Float> nullForNaN(float[] values) {
    List<Float> out = new ArrayList<>(values.length);
    for (float v : values) {
      out.add(Float.isNaN(v) ? null : v);
    }
    return out;
  }
}
