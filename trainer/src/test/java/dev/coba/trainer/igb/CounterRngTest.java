package dev.coba.trainer.igb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CounterRngTest {
  @Test
  void theCounterIsTheWholeState() {
    CounterRng a = new CounterRng(42);
    a.gaussians(7);
    a.nextInt(10);
    CounterRng b = new CounterRng(42);
    b.setCounter(a.counter());
    assertArrayEquals(a.gaussians(5), b.gaussians(5), 0);
    assertEquals(a.nextLong(), b.nextLong());
    assertNotEquals(new CounterRng(1).nextLong(), new CounterRng(2).nextLong());
  }

  @Test
  void uniformsAndGaussiansHaveTheirMoments() {
    CounterRng rng = new CounterRng(5);
    int n = 200_000;
    double sum = 0;
    double squares = 0;
    int[] counts = new int[10];
    for (int i = 0; i < n; i++) {
      double g = rng.nextGaussian();
      sum += g;
      squares += g * g;
      double u = rng.nextDouble();
      assertTrue(u >= 0 && u < 1);
      counts[rng.nextInt(10)]++;
    }
    assertEquals(0, sum / n, 0.01);
    assertEquals(1, squares / n, 0.01);
    for (int c : counts) {
      assertEquals(0.1, c / (double) n, 0.005);
    }
  }
}
