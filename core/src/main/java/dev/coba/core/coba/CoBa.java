package dev.coba.core.coba;

import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.math.DivergenceFactor;
import dev.coba.core.math.RollingAbsSum;
import dev.coba.core.math.Softmax;
import dev.coba.core.math.WindowedSlope;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.ReferenceLosses;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CoBa as the paper defines it (variant {@code paper}; see docs/coba-spec.md). Per report:
 * O(K) to update the windowed slope fits and the ACS normalisers, O(T) for the DF softmax.
 * Memory O(K * N + T).
 *
 * <p>Warm-up counts reports, like the slope window: with {@code n} the reports applied so
 * far, the current one included, the weights stay uniform while {@code n + 1 < warmupSteps}
 * (slopes are fitted and recorded all the same). The step numbers are the x of the slope fits
 * only, so steps spaced evenly by any constant give the same weights as steps 1, 2, 3, ...
 */
public final class CoBa extends AbstractBalancer {
  private final CoBaMethod.Settings settings;

  private final ReferenceLosses reference;
  private final WindowedSlope[] windows;
  private final RollingAbsSum[] slopeHistory;
  private final DivergenceFactor divergence = new DivergenceFactor();

  /** The reports applied, counted up to warmupSteps (see {@link CoBaState#WARMUP_REPORTS}). */
  private long warmupReports;

  // scratch, reused across reports
  private final double[] alpha;
  private final double[] rcs;
  private final double[] acs;

  CoBa(List<String> tasks, Params params, double[] initialLosses) {
    super("coba", tasks, params, initialLosses);
    settings = new CoBaMethod.Settings(params);
    reference = new ReferenceLosses(initialLosses);
    windows = new WindowedSlope[k()];
    slopeHistory = new RollingAbsSum[k()];
    for (int i = 0; i < k(); i++) {
      windows[i] = new WindowedSlope(settings.history());
      slopeHistory[i] = new RollingAbsSum(settings.history());
      if (reference.has(i)) {
        windows[i].add(0, 1.0); // the step-0 point, ratio 1 by definition
      }
    }
    alpha = new double[k()];
    rcs = new double[k()];
    acs = new double[k()];
  }

  @Override
  protected void check(TaskReport report) {
    super.check(report);
    reference.refuseOverflowing(report, tasks());
  }

  @Override
  protected Update apply(TaskReport report) {
    long t = report.step();
    warmupReports = CoBaState.countReport(warmupReports, settings.warmup());
    double[] ratios = new double[k()];
    for (int i = 0; i < k(); i++) {
      // absent, or no reference yet: no point for the task's fit
      ratios[i] = report.hasVal(i) ? reference.ratio(i, report.val()[i]) : Double.NaN;
      if (!Double.isNaN(ratios[i])) {
        windows[i].add(t, ratios[i]);
      }
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratios);
    for (WindowedSlope w : windows) {
      if (!w.hasSlope()) {
        return new Update(t, Weights.uniform(tasks()), objective(), perTask, Map.of());
      }
    }
    double amax = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < k(); i++) {
      alpha[i] = windows[i].slope();
      slopeHistory[i].add(alpha[i]);
      amax = Math.max(amax, alpha[i]);
    }
    divergence.append(amax);

    relativeScores(alpha, rcs);
    absoluteScores(alpha, slopeHistory, acs);
    double df = settings.useDf() ? divergence.value(settings.tau()) : 0.5;
    double[] w = new double[k()];
    if (CoBaState.warmingUp(warmupReports, settings.warmup())) {
      java.util.Arrays.fill(w, 1.0 / k());
    } else {
      for (int i = 0; i < k(); i++) {
        w[i] = settings.mix(df, rcs[i], acs[i]);
      }
    }
    perTask.put("slopes", alpha.clone());
    perTask.put("rcs", rcs.clone());
    perTask.put("acs", acs.clone());
    return new Update(t, new Weights(tasks(), w), objective(), perTask, Map.of("df", df));
  }

  /**
   * RCS_i = softmax_i(K * alpha_i / sum_j |alpha_j|); uniform when every slope is 0. The
   * mftcoder variant computes it the same way, so it calls this.
   */
  static void relativeScores(double[] alpha, double[] out) {
    int k = alpha.length;
    double norm = 0;
    for (double v : alpha) {
      norm += Math.abs(v);
    }
    for (int i = 0; i < k; i++) {
      out[i] = norm == 0 ? 0 : k * alpha[i] / norm;
    }
    Softmax.apply(out, out);
  }

  /**
   * ACS_i = softmax_i(-n * alpha_i / sum over the task's last n slopes of |alpha|), n being the
   * slopes {@code recentSlopes[i]} holds (the variants differ only in how many they keep).
   */
  static void absoluteScores(double[] alpha, RollingAbsSum[] recentSlopes, double[] out) {
    for (int i = 0; i < alpha.length; i++) {
      double norm = recentSlopes[i].absSum();
      out[i] = norm == 0 ? 0 : -recentSlopes[i].size() * alpha[i] / norm;
    }
    Softmax.apply(out, out);
  }

  @Override
  protected void writeState(StateWriter out) {
    reference.write(out);
    CoBaState.writeFits(out, "windowSteps", windows);
    CoBaState.writeSlopeHistories(out, slopeHistory);
    out.put("amaxHistory", divergence.values()).put("amaxSums", divergence.accumulators());
    out.put(CoBaState.WARMUP_REPORTS, warmupReports);
  }

  @Override
  protected void readState(StateReader in) {
    reference.read(in);
    CoBaState.readFits(in, "windowSteps", windows);
    CoBaState.readSlopeHistories(in, slopeHistory);
    divergence.restore(
        in.getDoubles("amaxHistory", StateReader.Values.FINITE),
        in.getDoubles("amaxSums", StateReader.Values.SET));
    warmupReports =
        CoBaState.readWarmupReports(
            in, settings.warmup(), lastStep() != null, this::derivedWarmupReports);
  }

  /**
   * The warm-up count of a state written before it was kept, from what the state holds: at
   * least one report per recorded {@code amax}, per distinct step among the window points and
   * 1; at most one per step from the first possible one (0, or 1 with initial losses) to the
   * last. Exact when the lower bound reaches warmupSteps (the count stops there) or equals the
   * upper bound (e.g. reports at steps 1, 2, 3, ... with initial losses); refused otherwise.
   */
  private long derivedWarmupReports() {
    int w = settings.warmup();
    long lower = Math.max(1, divergence.count());
    java.util.Set<Long> steps = new java.util.HashSet<>();
    for (int i = 0; i < windows.length && steps.size() < w; i++) { // the count stops at w
      for (long x : windows[i].xValues()) {
        if (x != 0
            || !hasInitialLosses()) { // with initial losses, x = 0 is their point, not a report
          steps.add(x);
        }
      }
    }
    lower = Math.max(lower, steps.size());
    if (lower >= w) {
      return w;
    }
    long upper = lastStep() - (hasInitialLosses() ? 1 : 0) + 1;
    if (lower == upper) {
      return lower;
    }
    throw CoBaState.underivable(
        "it holds at least "
            + lower
            + " and at most "
            + upper
            + " reports (last step "
            + lastStep()
            + "), fewer than warmupSteps "
            + w);
  }
}
