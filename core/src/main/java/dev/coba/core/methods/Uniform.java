package dev.coba.core.methods;

import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.List;

/** {@code w_i = 1/K} at every step: the baseline (MFTCoder's default). */
public final class Uniform extends AbstractBalancer {
  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "uniform",
          "Equal weights 1/K at every step.",
          List.of(),
          List.of(),
          Objective.LINEAR,
          Uniform::new);

  public Uniform(List<String> tasks, Params params, double[] initialLosses) {
    super("uniform", tasks, params, initialLosses);
  }

  @Override
  protected void check(TaskReport report) {
    // uniform reads nothing: an empty report is fine
  }

  @Override
  protected Update apply(TaskReport report) {
    return plain(report.step(), uniform());
  }

  @Override
  protected void writeState(StateWriter out) {}

  @Override
  protected void readState(StateReader in) {}
}
