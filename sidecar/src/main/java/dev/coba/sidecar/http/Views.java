package dev.coba.sidecar.http;

import dev.coba.protocol.Wire.RunBody;
import dev.coba.protocol.Wire.RunPageBody;
import dev.coba.protocol.Wire.RunSummaryBody;
import dev.coba.protocol.Wire.StepWeightsBody;
import dev.coba.sidecar.runs.RunPage;
import dev.coba.sidecar.runs.RunView;

/** The registry's views of runs as the protocol's records. */
final class Views {
  private Views() {}

  /** {@code Run}. */
  static RunBody run(RunView v) {
    return RunBody.of(v.spec(), v.params(), v.step(), v.weights(), v.objective());
  }

  /** {@code RunPage}. */
  static RunPageBody page(RunPage page) {
    return new RunPageBody(
        page.runs().stream().map(v -> RunSummaryBody.of(v.spec(), v.step())).toList(), page.next());
  }

  /** {@code StepWeights} of the last completed step (uniform weights before any). */
  static StepWeightsBody weights(RunView v) {
    return StepWeightsBody.current(v.spec().runId(), v.step(), v.weights(), v.objective());
  }
}
