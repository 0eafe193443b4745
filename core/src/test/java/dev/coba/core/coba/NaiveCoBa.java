package dev.coba.core.coba;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deliberately naive CoBa (variant {@code paper}) written straight from the spec: it keeps
 * every point and refits everything from the full history at every report. The fast
 * implementation must agree with it.
 */
final class NaiveCoBa {
  private final List<String> tasks;
  private final int warmup;
  private final int n;
  private final double tau;
  private final boolean useRcs;
  private final boolean useAcs;
  private final boolean useDf;
  private final Map<String, Double> initial;
  private final List<List<long[]>> steps = new ArrayList<>();
  private final List<List<Double>> ratios = new ArrayList<>();
  private final List<List<Double>> recordedSlopes = new ArrayList<>();
  private final List<Double> recordedAmax = new ArrayList<>();
  private final Double[] reference;

  /** Every report so far, this one included: warm-up counts reports, not steps. */
  private int reports;

  double lastDf = Double.NaN;
  double[] lastSlopes;

  NaiveCoBa(
      List<String> tasks,
      int warmup,
      int n,
      double tau,
      Map<String, Double> initial,
      boolean useRcs,
      boolean useAcs,
      boolean useDf) {
    this.tasks = tasks;
    this.warmup = warmup;
    this.n = n;
    this.tau = tau;
    this.initial = initial;
    this.useRcs = useRcs;
    this.useAcs = useAcs;
    this.useDf = useDf;
    reference = new Double[tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      steps.add(new ArrayList<>());
      ratios.add(new ArrayList<>());
      recordedSlopes.add(new ArrayList<>());
      Double l0 = initial.get(tasks.get(i));
      if (l0 != null) {
        reference[i] = l0;
        steps.get(i).add(new long[] {0});
        ratios.get(i).add(1.0);
      }
    }
  }

  double[] report(long t, Map<String, Double> losses) {
    reports++;
    int k = tasks.size();
    for (int i = 0; i < k; i++) {
      Double loss = losses.get(tasks.get(i));
      if (loss == null) {
        continue;
      }
      if (reference[i] == null) {
        if (loss == 0.0) {
          continue;
        }
        reference[i] = loss;
      }
      steps.get(i).add(new long[] {t});
      ratios.get(i).add(loss / reference[i]);
    }
    for (int i = 0; i < k; i++) {
      if (steps.get(i).size() < 2) {
        lastDf = Double.NaN;
        lastSlopes = null;
        return uniform(k);
      }
    }
    double[] alpha = new double[k];
    for (int i = 0; i < k; i++) {
      alpha[i] = olsSlopeOfLast(steps.get(i), ratios.get(i), n);
      recordedSlopes.get(i).add(alpha[i]);
    }
    double amax = alpha[0];
    for (double a : alpha) {
      if (a > amax) {
        amax = a;
      }
    }
    recordedAmax.add(amax);

    double sumAbs = 0;
    for (double a : alpha) {
      sumAbs += Math.abs(a);
    }
    double[] rcsLogits = new double[k];
    for (int i = 0; i < k; i++) {
      rcsLogits[i] = sumAbs == 0 ? 0 : k * alpha[i] / sumAbs;
    }
    double[] rcs = softmax(rcsLogits);

    double[] acsLogits = new double[k];
    for (int i = 0; i < k; i++) {
      List<Double> hist = recordedSlopes.get(i);
      int m = Math.min(n, hist.size());
      double s = 0;
      for (int j = hist.size() - m; j < hist.size(); j++) {
        s += Math.abs(hist.get(j));
      }
      acsLogits[i] = s == 0 ? 0 : -m * alpha[i] / s;
    }
    double[] acs = softmax(acsLogits);

    int bigT = recordedAmax.size();
    double total = 0;
    for (double a : recordedAmax) {
      total += Math.abs(a);
    }
    double df;
    if (total == 0) {
      df = 1;
    } else {
      double[] z = new double[bigT];
      for (int s = 0; s < bigT; s++) {
        z[s] = -tau * bigT * recordedAmax.get(s) / total;
      }
      df = Math.min(bigT * softmax(z)[bigT - 1], 1);
    }
    if (!useDf) {
      df = 0.5;
    }
    lastDf = df;
    lastSlopes = alpha;
    if (reports + 1 < warmup) {
      return uniform(k);
    }
    double[] w = new double[k];
    for (int i = 0; i < k; i++) {
      w[i] = !useAcs ? rcs[i] : !useRcs ? acs[i] : df * rcs[i] + (1 - df) * acs[i];
    }
    return w;
  }

  /**
   * OLS slope over the last m points, in exact decimal arithmetic, rounded once at the end:
   * (m*Sxy - Sx*Sy) / (m*Sxx - Sx^2). The reference the fast double-double fit must meet.
   */
  static double olsSlopeOfLast(List<long[]> xs, List<Double> ys, int m) {
    int from = Math.max(0, xs.size() - m);
    java.math.BigDecimal n = java.math.BigDecimal.valueOf(xs.size() - from);
    java.math.BigDecimal sx = java.math.BigDecimal.ZERO;
    java.math.BigDecimal sy = java.math.BigDecimal.ZERO;
    java.math.BigDecimal sxx = java.math.BigDecimal.ZERO;
    java.math.BigDecimal sxy = java.math.BigDecimal.ZERO;
    for (int j = from; j < xs.size(); j++) {
      java.math.BigDecimal x = java.math.BigDecimal.valueOf(xs.get(j)[0]);
      java.math.BigDecimal y = new java.math.BigDecimal(ys.get(j));
      sx = sx.add(x);
      sy = sy.add(y);
      sxx = sxx.add(x.multiply(x));
      sxy = sxy.add(x.multiply(y));
    }
    java.math.BigDecimal num = n.multiply(sxy).subtract(sx.multiply(sy));
    java.math.BigDecimal den = n.multiply(sxx).subtract(sx.multiply(sx));
    return num.divide(den, java.math.MathContext.DECIMAL128).doubleValue();
  }

  static double[] softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double[] e = new double[z.length];
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      e[i] = Math.exp(z[i] - max);
      sum += e[i];
    }
    for (int i = 0; i < z.length; i++) {
      e[i] /= sum;
    }
    return e;
  }

  static double[] uniform(int k) {
    double[] w = new double[k];
    java.util.Arrays.fill(w, 1.0 / k);
    return w;
  }
}
