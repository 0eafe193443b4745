package dev.coba.core.run;

import dev.coba.core.Objective;
import dev.coba.core.Weights;

/** What a rank is told about a step: complete with the weights, or still waiting for ranks. */
public sealed interface StepOutcome {

  long step();

  /** Every rank has reported {@code step}; {@code weights} are for step + 1. */
  record Complete(long step, Weights weights, Objective objective) implements StepOutcome {}

  /** {@code received} of {@code worldSize} ranks have reported {@code step}. */
  record Pending(long step, int received, int worldSize) implements StepOutcome {}
}
