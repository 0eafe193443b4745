package dev.coba.trainer.report;

import java.util.Map;
import java.util.Optional;

/**
 * The charts written for one report, as paths relative to the report's folder; empty where there
 * was nothing to draw, so that the page says so instead. {@code failure}: why charts could not be
 * drawn on this machine (null when they could).
 */
record ReportCharts(
    Optional<String> meanRatios, Map<String, MethodCharts> methods, String failure) {
  /** One method's charts: normalised validation-loss ratios, weights and DF over the steps. */
  record MethodCharts(
      Optional<String> normalisedRatios, Optional<String> weights, Optional<String> df) {}

  MethodCharts of(String method) {
    return methods.getOrDefault(
        method, new MethodCharts(Optional.empty(), Optional.empty(), Optional.empty()));
  }
}
