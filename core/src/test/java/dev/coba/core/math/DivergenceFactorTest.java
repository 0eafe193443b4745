package dev.coba.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DivergenceFactorTest {

  /** The formula read literally: logits, then a max-shifted softmax. */
  private static double direct(double[] a, int t, double tau) {
    double total = 0;
    for (int s = 0; s < t; s++) {
      total += Math.abs(a[s]);
    }
    if (total == 0) {
      return 1;
    }
    double[] z = new double[t];
    double max = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < t; s++) {
      z[s] = -tau * t * a[s] / total;
      max = Math.max(max, z[s]);
    }
    double sum = 0;
    for (int s = 0; s < t; s++) {
      sum += Math.exp(z[s] - max);
    }
    return t * Math.exp(z[t - 1] - max) / sum;
  }

  @Test
  void expansionAgreesWithTheDirectSumOnLongRandomHistories() {
    java.util.Random rnd = new java.util.Random(11);
    for (int h = 0; h < 40; h++) {
      int n = 200 + rnd.nextInt(h < 4 ? 20000 : 3000);
      double tau = new double[] {0.5, 1, 5, 20}[rnd.nextInt(4)];
      double[] a = new double[n];
      DivergenceFactor df = new DivergenceFactor();
      double level = -0.01 * (1 + rnd.nextDouble());
      for (int s = 0; s < n; s++) {
        level *= 0.999; // slopes shrink toward 0 as training converges
        a[s] =
            level * (1 + 0.5 * rnd.nextGaussian())
                + (rnd.nextDouble() < 0.002 ? 0.05 * rnd.nextGaussian() : 0);
        df.append(a[s]);
        if (s % 7 == 0 || s > n - 50) {
          double expected = direct(a, s + 1, tau);
          assertEquals(
              expected,
              df.uncapped(tau),
              1e-13 * Math.max(1, expected),
              "history " + h + " T " + (s + 1));
        }
      }
      DivergenceFactor copy = new DivergenceFactor();
      copy.restore(df.values(), df.accumulators());
      df.append(-0.001);
      copy.append(-0.001);
      assertEquals(df.uncapped(tau), copy.uncapped(tau), 0.0);
    }
  }

  @Test
  void byHand() {
    // a = (-1, -1, 1): sum|a| = 3, T = 3, tau = 1: logits -1*3*a/3 = (1, 1, -1)
    // DF = min(3 * e^-1 / (2e + e^-1), 1)
    DivergenceFactor df = new DivergenceFactor();
    df.append(-1);
    df.append(-1);
    df.append(1);
    double expected = 3 * Math.exp(-1) / (2 * Math.E + Math.exp(-1));
    assertEquals(expected, df.value(1), 1e-15);
    assertEquals(expected, df.uncapped(1), 1e-15);
  }

  @Test
  void guardsAndCap() {
    DivergenceFactor df = new DivergenceFactor();
    assertEquals(1, df.value(5));
    df.append(0);
    df.append(0);
    assertEquals(1, df.value(5)); // all zero: DF = 1
    DivergenceFactor falling = new DivergenceFactor();
    falling.append(-0.1);
    falling.append(-0.5); // more negative than its history: softmax favours it, capped at 1
    assertEquals(1, falling.value(5));
    assertTrue(falling.uncapped(5) > 1);
  }

  @Test
  void valuesTooSmallForTheTemperatureGiveTheLimit() {
    // sum|a| = 1.5e-323 (denormals): tau * T / sum|a| = 10 / 1.5e-323 overflows, c = -inf.
    // The limit keeps only the terms at the minimum: T / (count at the minimum) when the last
    // value is the minimum, else 0 (computed as usual: -inf * 0 = NaN, and NaN weights)
    DivergenceFactor rising = new DivergenceFactor();
    rising.append(Double.MIN_VALUE); // 4.9e-324
    rising.append(2 * Double.MIN_VALUE);
    assertEquals(0, rising.uncapped(5));
    assertEquals(0, rising.value(5));
    DivergenceFactor falling = new DivergenceFactor();
    falling.append(2 * Double.MIN_VALUE);
    falling.append(Double.MIN_VALUE);
    assertEquals(2, falling.uncapped(5)); // T = 2, one value at the minimum
    assertEquals(1, falling.value(5));
    DivergenceFactor flat = new DivergenceFactor();
    flat.append(-Double.MIN_VALUE);
    flat.append(Double.MIN_VALUE);
    flat.append(-Double.MIN_VALUE);
    assertEquals(1.5, flat.uncapped(5)); // T = 3, two values at the minimum, the last one of them
  }

  @Test
  void constantHistoryGivesOne() {
    DivergenceFactor df = new DivergenceFactor();
    for (int i = 0; i < 1000; i++) {
      df.append(-0.003);
      assertEquals(1, df.value(5), 1e-12);
    }
  }

  @Test
  void risingMaximumDrivesTowardZero() {
    DivergenceFactor df = new DivergenceFactor();
    for (int i = 0; i < 100; i++) {
      df.append(-0.01);
    }
    double last = 1;
    for (int i = 1; i <= 10; i++) {
      df.append(-0.01 + 0.003 * i);
      double v = df.value(5);
      assertTrue(v < last, "DF " + v + " after " + last);
      last = v;
    }
    assertTrue(last < 1e-3, "DF " + last);
  }
}
