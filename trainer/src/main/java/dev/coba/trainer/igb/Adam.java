package dev.coba.trainer.igb;

import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;

/**
 * Adam (Kingma and Ba) over a flat parameter vector held in Java. DJL's own Adam keeps its
 * moments private, so a balancer could not export them; this one's moments and step count are
 * part of the balancer's state, and a restored agent continues bit-identically.
 */
final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final double lr;
  private final double[] m;
  private final double[] v;
  private long t;

  Adam(int size, double lr) {
    this.lr = lr;
    this.m = new double[size];
    this.v = new double[size];
  }

  /** One descent step on {@code params} (in place) along {@code grad}. */
  void step(double[] params, double[] grad) {
    t++;
    double c1 = 1.0 - Math.pow(BETA1, t);
    double c2 = 1.0 - Math.pow(BETA2, t);
    for (int i = 0; i < params.length; i++) {
      m[i] = BETA1 * m[i] + (1.0 - BETA1) * grad[i];
      v[i] = BETA2 * v[i] + (1.0 - BETA2) * grad[i] * grad[i];
      params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPSILON);
    }
  }

  void write(StateWriter out, String prefix) {
    out.put(prefix + ".m", m).put(prefix + ".v", v).put(prefix + ".t", t);
  }

  void read(StateReader in, String prefix) {
    in.copyInto(prefix + ".m", m);
    in.copyInto(prefix + ".v", v);
    t = in.getLong(prefix + ".t");
  }
}
