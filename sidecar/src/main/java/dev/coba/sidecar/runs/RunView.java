package dev.coba.sidecar.runs;

import dev.coba.core.Objective;
import dev.coba.core.Weights;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunSpec;
import java.util.Map;

/**
 * A run as the protocol shows it: its definition, the resolved parameters, the last completed
 * step (null before the first) and the weights for the next one. Immutable.
 */
public record RunView(
    RunSpec spec, Map<String, Object> params, Long step, Weights weights, Objective objective) {

  static RunView of(Run run) {
    return new RunView(
        run.spec(), run.params().asMap(), run.lastStep(), run.weights(), run.objective());
  }
}
