package dev.coba.trainer.results;

import java.util.Map;

/** The weights the balancer answered to the report of {@code step}, used from the next step on. */
public record WeightPoint(long step, Map<String, Double> weights) {
  public WeightPoint {
    weights = Results.orderedCopy(weights);
  }
}
