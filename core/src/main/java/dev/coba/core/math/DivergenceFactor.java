package dev.coba.core.math;

import java.util.Arrays;

/**
 * CoBa's divergence factor over the recorded maximum slopes {@code a_1..a_T}:
 * {@code DF = min(T * softmax_s(-tau * T * a_s / sum_u |a_u|)[T], 1)}, and 1 when every
 * {@code a} is 0. Memory O(T); the value costs O(T).
 */
public final class DivergenceFactor {
  private double[] history = new double[64];
  private int count;
  private double absSum;
  private double min = Double.POSITIVE_INFINITY;

  public void append(double amax) {
    if (count == history.length) {
      history = Arrays.copyOf(history, count * 2);
    }
    history[count++] = amax;
    absSum += Math.abs(amax);
    min = Math.min(min, amax);
  }

  public int count() {
    return count;
  }

  /** The DF for the history so far; 1 before any value. */
  public double value(double tau) {
    return Math.min(uncapped(tau), 1);
  }

  /** {@code T * softmax(...)[T]} without the cap at 1 (MFTCoder's form); 1 when all values are 0. */
  public double uncapped(double tau) {
    if (count == 0 || absSum == 0 || tau == 0) {
      return 1;
    }
    double c = -tau * count / absSum;
    double top = c * min; // c <= 0, so the largest logit belongs to the smallest a
    double sum = 0;
    for (int s = 0; s < count; s++) {
      sum += Math.exp(c * history[s] - top);
    }
    return count * Math.exp(c * history[count - 1] - top) / sum;
  }

  public double[] values() {
    return Arrays.copyOf(history, count);
  }

  /** The running sum of |a|, saved so that a restored factor continues bit-identically. */
  public double absSum() {
    return absSum;
  }

  public void restore(double[] values, double savedAbsSum) {
    history = Arrays.copyOf(values, Math.max(64, values.length));
    count = values.length;
    absSum = savedAbsSum;
    min = Double.POSITIVE_INFINITY;
    for (double v : values) {
      min = Math.min(min, v);
    }
  }
}
