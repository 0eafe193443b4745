package dev.coba.trainer.results;

import java.util.Map;

/** One full validation pass at {@code step}: per task (in task order) its mean validation loss. */
public record ValidationPoint(long step, Map<String, Double> losses) {
  public ValidationPoint {
    losses = Results.orderedCopy(losses);
  }
}
