package dev.coba.sidecar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencySummaryTest {
  @Test
  void nearestRankPercentilesInMicroseconds() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[i] = (100 - i) * 1000L; // 1..100 µs, unsorted
    }
    LatencySummary s = LatencySummary.of(nanos);
    assertEquals(50.0, s.medianUs());
    assertEquals(99.0, s.p99Us());
    assertEquals(100.0, s.maxUs());
    assertEquals(50.5, s.meanUs());
  }

  @Test
  void oneSample() {
    LatencySummary s = LatencySummary.of(new long[] {1234});
    assertEquals(1.234, s.medianUs());
    assertEquals(1.234, s.p99Us());
  }
}
