package dev.coba.trainer.igb;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The shape of a fully connected ReLU network, {@code sizes[0] -> ... -> sizes[n]}, whose
 * weights live in one flat Java array (per layer the {@code in x out} matrix row-major, then
 * the bias). Keeping them in Java makes the initialisation seeded, the Adam step exact and the
 * export a plain list of numbers; each computation turns them into float64 NDArrays of a
 * short-lived manager.
 */
final class Mlp {
  private final int[] sizes;
  private final int size;

  Mlp(int... sizes) {
    this.sizes = sizes.clone();
    int n = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      n += sizes[l] * sizes[l + 1] + sizes[l + 1];
    }
    this.size = n;
  }

  /** The number of weights. */
  int size() {
    return size;
  }

  /** PyTorch's default for linear layers: weights and biases uniform in ±1/sqrt(fan in). */
  double[] initialise(CounterRng rng) {
    double[] p = new double[size];
    int at = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      double bound = 1.0 / Math.sqrt(sizes[l]);
      int n = sizes[l] * sizes[l + 1] + sizes[l + 1];
      for (int i = 0; i < n; i++) {
        p[at++] = rng.nextSymmetric(bound);
      }
    }
    return p;
  }

  /** The weights as arrays of {@code manager}: W0, b0, W1, b1, ...; with gradients if asked. */
  NDList arrays(NDManager manager, double[] flat, boolean withGradient) {
    NDList out = new NDList();
    int at = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      int in = sizes[l];
      int o = sizes[l + 1];
      out.add(manager.create(slice(flat, at, in * o), new Shape(in, o)));
      at += in * o;
      out.add(manager.create(slice(flat, at, o), new Shape(o)));
      at += o;
    }
    if (withGradient) {
      out.forEach(a -> a.setRequiresGradient(true));
    }
    return out;
  }

  /** {@code x (n, sizes[0])} to {@code (n, sizes[last])}; ReLU after every layer but the last. */
  NDArray forward(NDArray x, NDList weights) {
    NDArray h = x;
    int layers = sizes.length - 1;
    for (int l = 0; l < layers; l++) {
      h = h.matMul(weights.get(2 * l)).add(weights.get(2 * l + 1));
      if (l + 1 < layers) {
        h = Activation.relu(h);
      }
    }
    return h;
  }

  /** The gradients of arrays made by {@link #arrays} with gradients, flat in the same layout. */
  double[] gradient(NDList weights) {
    double[] g = new double[size];
    int at = 0;
    for (NDArray a : weights) {
      double[] part = a.getGradient().toDoubleArray();
      System.arraycopy(part, 0, g, at, part.length);
      at += part.length;
    }
    return g;
  }

  private static double[] slice(double[] flat, int from, int n) {
    double[] out = new double[n];
    System.arraycopy(flat, from, out, 0, n);
    return out;
  }
}
