package dev.coba.trainer.igb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class MlpTest {
  @Test
  void forwardHandComputed() {
    // 2 -> 2 -> 1: W0 = [[1, -1], [2, 0]], b0 = [0, 1], W1 = [[3], [-2]], b1 = [0.5]
    Mlp net = new Mlp(2, 2, 1);
    assertEquals(9, net.size());
    double[] p = {1, -1, 2, 0, 0, 1, 3, -2, 0.5};
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      // x = (1, 1): h = relu(3, 0) ... second unit -1 + 0 + 1 = 0; y = 9 + 0.5
      // x = (-1, 0): h = relu(-1, 2) = (0, 2); y = -4 + 0.5
      NDArray y =
          net.forward(
              m.create(new double[] {1, 1, -1, 0}, new Shape(2, 2)), net.arrays(m, p, false));
      assertArrayEquals(new double[] {9.5, -3.5}, y.toDoubleArray(), 0);
    }
  }

  @Test
  void initialWeightsAreSeededAndWithinTheFanInBound() {
    Mlp net = new Mlp(4, 8, 2);
    double[] p = net.initialise(new CounterRng(9));
    assertArrayEquals(p, net.initialise(new CounterRng(9)), 0);
    for (int i = 0; i < 4 * 8 + 8; i++) {
      assertTrue(Math.abs(p[i]) <= 0.5, "layer 0 weight " + p[i]);
    }
    for (int i = 4 * 8 + 8; i < p.length; i++) {
      assertTrue(Math.abs(p[i]) <= 1 / Math.sqrt(8), "layer 1 weight " + p[i]);
    }
  }

  @Test
  void gradientMatchesFiniteDifferences() {
    Mlp net = new Mlp(3, 5, 2);
    double[] p = net.initialise(new CounterRng(4));
    double[] x = new CounterRng(5).gaussians(4 * 3);
    double[] g;
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList w = net.arrays(m, p, true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(net.forward(m.create(x, new Shape(4, 3)), w).square().sum());
      }
      g = net.gradient(w);
    }
    double h = 1e-6;
    for (int i = 0; i < p.length; i++) {
      double[] up = p.clone();
      double[] down = p.clone();
      up[i] += h;
      down[i] -= h;
      assertEquals(
          (objective(net, up, x) - objective(net, down, x)) / (2 * h), g[i], 1e-6, "weight " + i);
    }
  }

  private static double objective(Mlp net, double[] p, double[] x) {
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      return net.forward(m.create(x, new Shape(4, 3)), net.arrays(m, p, false))
          .square()
          .sum()
          .getDouble();
    }
  }
}
