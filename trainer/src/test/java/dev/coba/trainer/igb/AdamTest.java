package dev.coba.trainer.igb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import org.junit.jupiter.api.Test;

class AdamTest {
  @Test
  void firstStepMovesEachWeightByTheLearningRateAgainstTheGradientSign() {
    // after one step m^ = g and v^ = g^2, so the step is lr * g / (|g| + 1e-8)
    double[] p = {1, 2, 3};
    new Adam(3, 0.1).step(p, new double[] {4, -0.5, 0});
    assertArrayEquals(
        new double[] {1 - 0.1 * 4 / (4 + 1e-8), 2 + 0.1 * 0.5 / (0.5 + 1e-8), 3}, p, 1e-15);
  }

  @Test
  void secondStepHandComputed() {
    double[] p = {0};
    Adam adam = new Adam(1, 0.01);
    adam.step(p, new double[] {1});
    adam.step(p, new double[] {3});
    // m = 0.9 * 0.1 + 0.1 * 3 = 0.39, v = 0.999 * 0.001 + 0.001 * 9 = 0.009999
    double m = 0.39 / (1 - 0.81);
    double v = 0.009999 / (1 - 0.999 * 0.999);
    assertEquals(-0.01 * 1 / (1 + 1e-8) - 0.01 * m / (Math.sqrt(v) + 1e-8), p[0], 1e-12);
  }

  @Test
  void restoredMomentsContinueIdentically() {
    double[] p = {0.5, -0.5};
    Adam a = new Adam(2, 0.01);
    a.step(p, new double[] {1, 2});
    StateWriter out = new StateWriter();
    a.write(out, "x");
    Adam b = new Adam(2, 0.01);
    b.read(new StateReader(out.build()), "x");
    double[] q = p.clone();
    a.step(p, new double[] {-1, 3});
    b.step(q, new double[] {-1, 3});
    assertArrayEquals(p, q, 0);
  }
}
