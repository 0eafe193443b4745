package dev.coba.core.math;

import java.util.Arrays;

/**
 * CoBa's divergence factor over the recorded maximum slopes {@code a_1..a_T}:
 * {@code DF = min(T * softmax_s(-tau * T * a_s / sum_u |a_u|)[T], 1)}, and 1 when every
 * {@code a} is 0. {@link #uncapped} is the same without the cap (MFTCoder's form).
 *
 * <p>Why it is not O(T) per report: the softmax's temperature {@code c = -tau*T/sum|a|}
 * changes at every report, so its normaliser {@code sum_s exp(c * a_s)} cannot be kept as a
 * plain running sum. It is kept instead as a Taylor expansion around a reference
 * temperature {@code c0}: with {@code d_s = a_s - p} (p the smallest value when expanded),
 * {@code sum_s exp(c d_s) = sum_k (c - c0)^k / k! * M_k}, where
 * {@code M_k = sum_s d_s^k exp(c0 d_s)} are updated in O(TERMS) per new value. While
 * {@code |c - c0| * max|d_s| <= RADIUS} the truncation error is below 1e-20 relative. Values
 * with {@code c0 * d_s < -CUT} are left out of the moments: their terms are below
 * {@code e^-50} of the smallest value's term while {@code |c| >= KEEP/CUT * |c0|}, far below
 * rounding. (Without that cut, early steep slopes would make {@code |c0| * max|d|} huge and
 * force a rebuild every few reports.) When the temperature has drifted out of range the
 * moments are rebuilt around the current one: O(T), roughly once per few percent of T
 * reports. Below {@code EXACT_BELOW} values the sum is simply computed directly. Memory O(T).
 */
public final class DivergenceFactor {
  private static final int EXACT_BELOW = 64;
  private static final int TERMS = 29;
  private static final double RADIUS = 2.0;

  /** Values with c0 * d below -CUT are left out of the expansion... */
  private static final double CUT = 60;

  /** ...which stays valid while they stay below exp(-KEEP) relative, i.e. |c| * cut >= KEEP. */
  private static final double KEEP = 50;

  private double[] history = new double[64];
  private int count;
  private double absSum;
  private double min = Double.POSITIVE_INFINITY;

  // the expansion: valid while expanded; a pure cache of history, but saved with the state
  // so that a restored factor rounds exactly as the original would have
  private boolean expanded;
  private double c0;
  private double pivot;

  /** d beyond which a value is left out; also the scale of the moments' powers. */
  private double cut;

  /** max |d| over the values in the expansion. */
  private double spread;

  private final double[] moments = new double[TERMS];

  public void append(double amax) {
    if (count == history.length) {
      history = Arrays.copyOf(history, count * 2);
    }
    history[count++] = amax;
    absSum += Math.abs(amax);
    min = Math.min(min, amax);
    if (expanded) {
      double d = amax - pivot;
      if (d < -2 * cut) {
        expanded = false; // far below the pivot: rebuild at the next value()
      } else if (d <= cut) {
        spread = Math.max(spread, Math.abs(d));
        addMoments(d);
      }
    }
  }

  public int count() {
    return count;
  }

  /** The DF for the history so far; 1 before any value. */
  public double value(double tau) {
    return Math.min(uncapped(tau), 1);
  }

  /** {@code T * softmax(...)[T]} without the cap at 1; 1 when all values are 0. */
  public double uncapped(double tau) {
    if (count == 0 || absSum == 0 || tau == 0) {
      return 1;
    }
    double c = -tau * count / absSum;
    if (Double.isInfinite(c)) {
      return coldLimit();
    }
    double top = Math.exp(c * (history[count - 1] - min));
    return count * top / normaliser(c);
  }

  /**
   * The DF as c goes to minus infinity, where every term but those at the minimum vanishes:
   * {@code T / (values at the minimum)} when the last value is the minimum, else 0. Reached when
   * the values are so small (all below about 10^-300) that {@code tau * T / sum|amax|}
   * overflows; computed as usual, {@code c * 0} would be NaN, and the weights with it.
   */
  private double coldLimit() {
    int atMin = 0;
    for (int s = 0; s < count; s++) {
      atMin += history[s] == min ? 1 : 0;
    }
    return history[count - 1] == min ? (double) count / atMin : 0;
  }

  /** {@code sum_s exp(c * (a_s - min))}. */
  private double normaliser(double c) {
    if (count < EXACT_BELOW) {
      double sum = 0;
      for (int s = 0; s < count; s++) {
        sum += Math.exp(c * (history[s] - min));
      }
      return sum;
    }
    if (!expanded || Math.abs(c - c0) * spread > RADIUS || Math.abs(c) * cut < KEEP) {
      expand(c);
    }
    double step = (c - c0) * cut;
    double s = moments[TERMS - 1];
    for (int k = TERMS - 1; k >= 1; k--) {
      s = moments[k - 1] + step / k * s;
    }
    return s * Math.exp(c * (pivot - min));
  }

  private void expand(double c) {
    c0 = c;
    pivot = min;
    cut = CUT / Math.abs(c0);
    spread = 0;
    Arrays.fill(moments, 0);
    for (int s = 0; s < count; s++) {
      double d = history[s] - pivot;
      if (d <= cut) {
        spread = Math.max(spread, d);
        addMoments(d);
      }
    }
    expanded = true;
  }

  private void addMoments(double d) {
    double term = Math.exp(c0 * d);
    double u = d / cut;
    for (int k = 0; k < TERMS; k++) {
      moments[k] += term;
      term *= u;
    }
  }

  public double[] values() {
    return Arrays.copyOf(history, count);
  }

  /** The running sum of |a| and the expansion, saved so that a restore continues bit-identically. */
  public double[] accumulators() {
    double[] acc = new double[6 + TERMS];
    acc[0] = absSum;
    acc[1] = expanded ? 1 : 0;
    acc[2] = c0;
    acc[3] = pivot;
    acc[4] = cut;
    acc[5] = spread;
    System.arraycopy(moments, 0, acc, 6, TERMS);
    return acc;
  }

  public void restore(double[] values, double[] acc) {
    if (acc.length != 6 + TERMS) {
      throw new IllegalArgumentException(
          "divergence factor state has " + acc.length + " accumulators, expected " + (6 + TERMS));
    }
    history = Arrays.copyOf(values, Math.max(64, values.length));
    count = values.length;
    min = Double.POSITIVE_INFINITY;
    for (double v : values) {
      min = Math.min(min, v);
    }
    absSum = acc[0];
    expanded = acc[1] != 0;
    c0 = acc[2];
    pivot = acc[3];
    cut = acc[4];
    spread = acc[5];
    System.arraycopy(acc, 6, moments, 0, TERMS);
  }
}
