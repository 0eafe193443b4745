package dev.coba.core.coba;

import dev.coba.core.AbstractBalancer;
import dev.coba.core.Params;
import dev.coba.core.TaskReport;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.math.DivergenceFactor;
import dev.coba.core.math.RollingAbsSum;
import dev.coba.core.math.Softmax;
import dev.coba.core.math.WindowedSlope;
import dev.coba.core.state.StateReader;
import dev.coba.core.state.StateWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CoBa as the paper defines it (variant {@code paper}; see docs/coba-spec.md). Per report:
 * O(K) to update the windowed slope fits and the ACS normalisers, O(T) for the DF softmax.
 * Memory O(K * N + T).
 */
public final class CoBa extends AbstractBalancer {
  private final int warmup;
  private final int history;
  private final double tau;
  private final boolean useRcs;
  private final boolean useAcs;
  private final boolean useDf;

  /** l_i(0): given, or the first positive loss of the task; NaN until known. */
  private final double[] reference;
  private final WindowedSlope[] windows;
  private final RollingAbsSum[] slopeHistory;
  private final DivergenceFactor divergence = new DivergenceFactor();

  // scratch, reused across reports
  private final double[] alpha;
  private final double[] rcs;
  private final double[] acs;

  CoBa(List<String> tasks, Params params, double[] initialLosses) {
    super("coba", tasks, params, initialLosses);
    warmup = params.getInt("warmupSteps");
    history = params.getInt("historyLength");
    tau = params.getDouble("tau");
    useRcs = params.getBool("useRcs");
    useAcs = params.getBool("useAcs");
    useDf = params.getBool("useDf");
    reference = initialLosses.clone();
    windows = new WindowedSlope[k];
    slopeHistory = new RollingAbsSum[k];
    for (int i = 0; i < k; i++) {
      windows[i] = new WindowedSlope(history);
      slopeHistory[i] = new RollingAbsSum(history);
      if (!Double.isNaN(reference[i])) {
        windows[i].add(0, 1.0); // the step-0 point, ratio 1 by definition
      }
    }
    alpha = new double[k];
    rcs = new double[k];
    acs = new double[k];
  }

  @Override
  protected Update apply(TaskReport report) {
    long t = report.step();
    double[] ratios = new double[k];
    for (int i = 0; i < k; i++) {
      ratios[i] = Double.NaN;
      if (!report.hasVal(i)) {
        continue;
      }
      double loss = report.val()[i];
      if (Double.isNaN(reference[i])) {
        if (loss == 0) {
          continue; // no ratio without a positive reference loss
        }
        reference[i] = loss;
      }
      ratios[i] = loss / reference[i];
      windows[i].add(t, ratios[i]);
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratios);
    for (WindowedSlope w : windows) {
      if (!w.hasSlope()) {
        return new Update(t, Weights.uniform(tasks), objective(), perTask, Map.of());
      }
    }
    double amax = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < k; i++) {
      alpha[i] = windows[i].slope();
      slopeHistory[i].add(alpha[i]);
      amax = Math.max(amax, alpha[i]);
    }
    divergence.append(amax);

    relativeScores(alpha, rcs);
    absoluteScores(alpha, acs);
    double df = useDf ? divergence.value(tau) : 0.5;
    double[] w = new double[k];
    if (t + 1 < warmup) {
      java.util.Arrays.fill(w, 1.0 / k);
    } else {
      for (int i = 0; i < k; i++) {
        w[i] = !useAcs ? rcs[i] : !useRcs ? acs[i] : df * rcs[i] + (1 - df) * acs[i];
      }
    }
    perTask.put("slopes", alpha.clone());
    perTask.put("rcs", rcs.clone());
    perTask.put("acs", acs.clone());
    return new Update(t, new Weights(tasks, w), objective(), perTask, Map.of("df", df));
  }

  /** RCS_i = softmax_i(K * alpha_i / sum_j |alpha_j|); uniform when every slope is 0. */
  private void relativeScores(double[] a, double[] out) {
    double norm = 0;
    for (double v : a) {
      norm += Math.abs(v);
    }
    for (int i = 0; i < k; i++) {
      out[i] = norm == 0 ? 0 : k * a[i] / norm;
    }
    Softmax.apply(out, out);
  }

  /** ACS_i = softmax_i(-n * alpha_i / sum over the task's last n slopes of |alpha|). */
  private void absoluteScores(double[] a, double[] out) {
    for (int i = 0; i < k; i++) {
      double norm = slopeHistory[i].absSum();
      out[i] = norm == 0 ? 0 : -slopeHistory[i].size() * a[i] / norm;
    }
    Softmax.apply(out, out);
  }

  @Override
  protected void writeState(StateWriter out) {
    long[][] xs = new long[k][];
    double[][] ys = new double[k][];
    double[][] acc = new double[k][];
    double[][] slopes = new double[k][];
    double[][] slopeAcc = new double[k][];
    for (int i = 0; i < k; i++) {
      xs[i] = windows[i].xValues();
      ys[i] = windows[i].yValues();
      acc[i] = windows[i].accumulators();
      slopes[i] = slopeHistory[i].toArray();
      slopeAcc[i] = slopeHistory[i].accumulators();
    }
    out.put("reference", reference)
        .put("windowSteps", xs)
        .put("windowRatios", ys)
        .put("windowSums", acc)
        .put("slopeHistory", slopes)
        .put("slopeSums", slopeAcc)
        .put("amaxHistory", divergence.values())
        .put("amaxSums", divergence.accumulators());
  }

  @Override
  protected void readState(StateReader in) {
    double[] ref = in.getDoubles("reference");
    long[][] xs = in.getLongRows("windowSteps");
    double[][] ys = in.getDoubleRows("windowRatios");
    double[][] acc = in.getDoubleRows("windowSums");
    double[][] slopes = in.getDoubleRows("slopeHistory");
    double[][] slopeAcc = in.getDoubleRows("slopeSums");
    if (ref.length != k || xs.length != k || ys.length != k || acc.length != k
        || slopes.length != k || slopeAcc.length != k) {
      throw new dev.coba.core.InvalidInputException("state.data", "CoBa state does not have " + k + " tasks");
    }
    System.arraycopy(ref, 0, reference, 0, k);
    for (int i = 0; i < k; i++) {
      windows[i].restore(xs[i], ys[i], acc[i]);
      slopeHistory[i].restore(slopes[i], slopeAcc[i]);
    }
    divergence.restore(in.getDoubles("amaxHistory"), in.getDoubles("amaxSums"));
  }
}
