package dev.coba.core.math;

/** A numerically safe softmax (the maximum logit is subtracted before exponentiation). */
public final class Softmax {
  private Softmax() {}

  /** Writes {@code softmax(logits)} into {@code out} (which may be {@code logits}). */
  public static void apply(double[] logits, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (double z : logits) {
      max = Math.max(max, z);
    }
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      out[i] = Math.exp(logits[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= sum;
    }
  }

  public static double[] of(double[] logits) {
    double[] out = new double[logits.length];
    apply(logits, out);
    return out;
  }
}
