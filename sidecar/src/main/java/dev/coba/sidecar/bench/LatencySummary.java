package dev.coba.sidecar.bench;

import java.util.Arrays;

/**
 * Per-call latencies in microseconds. Percentiles are nearest-rank: the value of the sorted
 * sample at rank ceil(p * n), so they are always a measured time.
 */
public record LatencySummary(double medianUs, double p99Us, double maxUs, double meanUs) {

  public static LatencySummary of(long[] nanos) {
    if (nanos.length == 0) {
      throw new IllegalArgumentException("no measurement");
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (long n : sorted) {
      sum += n;
    }
    return new LatencySummary(
        micros(percentile(sorted, 0.50)),
        micros(percentile(sorted, 0.99)),
        micros(sorted[sorted.length - 1]),
        micros(sum / sorted.length));
  }

  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  /** Nanoseconds to microseconds, kept to the nanosecond (three decimals). */
  private static double micros(double nanos) {
    return Math.round(nanos) / 1000.0;
  }
}
