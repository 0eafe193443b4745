package dev.coba.core.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WindowedSlopeTest {

  @Test
  void threePointsByHand() {
    // (0,1),(1,.9),(2,.7): xbar 1, ybar .8667; sum (x-1)(y-ybar) = -.1333 - .1667 = -.3; sum
    // (x-1)^2 = 2
    WindowedSlope w = new WindowedSlope(3);
    w.add(0, 1.0);
    assertFalse(w.hasSlope());
    w.add(1, 0.9);
    assertEquals(-0.1, w.slope(), 1e-15);
    w.add(2, 0.7);
    assertEquals(-0.15, w.slope(), 1e-15);
    // (0,1) leaves: (1,.9),(2,.7),(3,.7): ybar .7667; -(.1333) + (-.0667) = -.2 -> -.1
    w.add(3, 0.7);
    assertEquals(-0.1, w.slope(), 1e-15);
    assertEquals(3, w.size());
  }

  @Test
  void irregularStepsUseTheStepAsX() {
    // (10, 1) and (30, .8): slope -.2 / 20
    WindowedSlope w = new WindowedSlope(5);
    w.add(10, 1.0);
    w.add(30, 0.8);
    assertEquals(-0.01, w.slope(), 1e-16);
  }

  @Test
  void aHugeValueLeavesNoResidue() {
    WindowedSlope w = new WindowedSlope(4);
    double[] ys = {1.0, 0.99, 1e12, 0.97, 0.96, 0.95, 0.94, 0.93};
    for (int i = 0; i < ys.length; i++) {
      w.add(1_000_000 + i, ys[i]);
    }
    // window (4,.96),(5,.95),(6,.94),(7,.93): exactly -0.01 per step
    assertEquals(-0.01, w.slope(), 1e-16);
  }

  @Test
  void removeOldestAndRestore() {
    WindowedSlope w = new WindowedSlope(4);
    w.add(1, 3);
    w.add(2, 5);
    w.add(3, 9);
    w.removeOldest(); // (2,5),(3,9)
    assertEquals(4.0, w.slope(), 0);
    WindowedSlope copy = new WindowedSlope(4);
    copy.restore(w.xValues(), w.yValues(), w.accumulators());
    w.add(4, 10);
    copy.add(4, 10);
    assertEquals(w.slope(), copy.slope(), 0);
    assertThrows(IllegalArgumentException.class, () -> new WindowedSlope(1));
    assertTrue(new WindowedSlope(2).slope() == 0);
  }
}
