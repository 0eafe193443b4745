package dev.coba.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DivergenceFactorTest {

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
