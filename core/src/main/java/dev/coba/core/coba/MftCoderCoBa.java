package dev.coba.core.coba;

import dev.coba.core.InvalidInputException;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CoBa as MFTCoder's {@code CoBaStatus.compute_per_task_weight} computes it (variant
 * {@code mftcoder}), quirks included, so that users moving from MFTCoder get its numbers:
 * <ul>
 *   <li>a loss of 0, or a task missing from the report, is "absent": the window still
 *       counts the report, the fit drops the point and gives the remaining points
 *       consecutive x values (their rank), so gaps close up;</li>
 *   <li>the slope window is the last {@code historyLength} reports; fewer than 2 points give
 *       slope 0; nothing is fitted or recorded before warm-up ends;</li>
 *   <li>ACS uses the last {@code n = min(T, historyLength - warmupSteps + 1)} slopes;</li>
 *   <li>DF uses the slope of the per-report maximum loss ratio over tasks, all of them since
 *       warm-up, and is not capped at 1;</li>
 *   <li>{@code w = softmax(K * (DF * RCS + (1 - DF) * ACS))}, then, if any weight is below
 *       {@code 1/(10K)}, {@code w = 0.9 w + 1/(10K)}.</li>
 * </ul>
 * Where MFTCoder divides by zero (all slopes 0) this uses the paper variant's guards
 * (zero logits, DF = 1) instead of returning NaN. Reports are counted, not stepped, warm-up
 * included: with {@code n} the reports applied so far, the current one included, the weights
 * stay uniform while {@code n + 1 < warmupSteps} (MFTCoder reports at every step, so there
 * {@code n} is its step); the step numbers themselves change nothing. O(K) per report plus
 * O(T) for DF, like the paper variant.
 */
public final class MftCoderCoBa extends AbstractBalancer {
  private final CoBaMethod.Settings settings;

  /** historyLength: the reports in the window. */
  private final int history;

  private final ReferenceLosses reference;

  /**
   * The present points of the report window, per series: tasks 0..K-1 and, at index K, the
   * per-report maximum ratio over tasks; x = the series' running count of present points.
   */
  private final WindowedSlope[] windows;

  private final long[] presentCount;

  /** Which series were present in each report of the window, oldest first. */
  private final boolean[][] presence;

  private int presenceHead;
  private int presenceSize;

  private final RollingAbsSum[] slopeHistory;
  private final DivergenceFactor divergence = new DivergenceFactor();

  /** The reports applied, counted up to warmupSteps (see {@link CoBaState#WARMUP_REPORTS}). */
  private long warmupReports;

  MftCoderCoBa(List<String> tasks, Params params, double[] initialLosses) {
    super("coba", tasks, params, initialLosses);
    settings = new CoBaMethod.Settings(params);
    int warmup = settings.warmup();
    history = settings.history();
    if (warmup < 3) {
      throw new InvalidInputException(
          "params.warmupSteps",
          "variant mftcoder needs warmupSteps >= 3 (MFTCoder itself fails below that), got "
              + warmup);
    }
    if (history < warmup) {
      throw new InvalidInputException(
          "params.historyLength",
          "variant mftcoder needs historyLength >= warmupSteps (MFTCoder's ACS window is historyLength - warmupSteps + 1), got "
              + history
              + " < "
              + warmup);
    }
    reference = new ReferenceLosses(initialLosses);
    windows = new WindowedSlope[k() + 1];
    for (int i = 0; i <= k(); i++) {
      windows[i] = new WindowedSlope(history);
    }
    slopeHistory = new RollingAbsSum[k()];
    for (int i = 0; i < k(); i++) {
      slopeHistory[i] = new RollingAbsSum(history - warmup + 1);
    }
    presentCount = new long[k() + 1];
    presence = new boolean[history][k() + 1];
  }

  @Override
  protected void check(TaskReport report) {
    // a report naming no task is legal here: every task is absent (MFTCoder's all-zero column)
    reference.refuseOverflowing(report, tasks());
  }

  @Override
  protected Update apply(TaskReport report) {
    long t = report.step();
    warmupReports = CoBaState.countReport(warmupReports, settings.warmup());
    double[] ratios = new double[k()];
    double maxRatio = 0;
    for (int i = 0; i < k(); i++) {
      double loss = report.hasVal(i) ? report.val()[i] : 0;
      // MFTCoder always has the step-0 pass; without it, the first positive loss is l_i(0)
      ratios[i] = loss > 0 ? reference.ratio(i, loss) : 0;
      maxRatio = Math.max(maxRatio, ratios[i]);
    }
    double[] series = Arrays.copyOf(ratios, k() + 1);
    series[k()] = maxRatio;
    slideWindow(series);
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratios);
    if (CoBaState.warmingUp(warmupReports, settings.warmup())) {
      return new Update(t, Weights.uniform(tasks()), objective(), perTask, Map.of());
    }

    double[] alpha = new double[k()];
    for (int i = 0; i < k(); i++) {
      alpha[i] = windows[i].slope();
      slopeHistory[i].add(alpha[i]);
    }
    double beta = windows[k()].slope();
    divergence.append(beta);

    double[] rcs = new double[k()];
    CoBa.relativeScores(alpha, rcs);
    double[] acs = new double[k()];
    CoBa.absoluteScores(
        alpha, slopeHistory, acs); // over the last historyLength - warmupSteps + 1 slopes
    double df = settings.useDf() ? divergence.uncapped(settings.tau()) : 0.5;

    double[] w = new double[k()];
    for (int i = 0; i < k(); i++) {
      w[i] = k() * settings.mix(df, rcs[i], acs[i]);
    }
    Softmax.apply(w, w);
    double floor = 1.0 / (10.0 * k());
    boolean below = false;
    for (double v : w) {
      below |= v < floor;
    }
    if (below) {
      double scale = 1 - floor * k();
      for (int i = 0; i < k(); i++) {
        w[i] = w[i] * scale + floor;
      }
    }
    perTask.put("slopes", alpha);
    perTask.put("rcs", rcs);
    perTask.put("acs", acs);
    Map<String, Double> scalars = new LinkedHashMap<>();
    scalars.put("df", df);
    scalars.put("maxRatioSlope", beta);
    scalars.put("floorApplied", below ? 1.0 : 0.0);
    return new Update(t, new Weights(tasks(), w), objective(), perTask, scalars);
  }

  /**
   * Appends one report (the K task ratios, then their maximum) to the window of the last
   * {@code historyLength} reports, dropping the oldest. A ratio of 0 is an absent point.
   */
  private void slideWindow(double[] series) {
    if (presenceSize == history) {
      boolean[] oldest = presence[presenceHead];
      for (int i = 0; i <= k(); i++) {
        if (oldest[i]) {
          windows[i].removeOldest();
        }
      }
      presenceHead = (presenceHead + 1) % history;
      presenceSize--;
    }
    boolean[] row = presence[(presenceHead + presenceSize) % history];
    for (int i = 0; i <= k(); i++) {
      row[i] = series[i] != 0;
      if (row[i]) {
        windows[i].add(presentCount[i]++, series[i]);
      }
    }
    presenceSize++;
  }

  @Override
  protected void writeState(StateWriter out) {
    long[][] rows = new long[presenceSize][k() + 1];
    for (int r = 0; r < presenceSize; r++) {
      boolean[] row = presence[(presenceHead + r) % history];
      for (int i = 0; i <= k(); i++) {
        rows[r][i] = row[i] ? 1 : 0;
      }
    }
    reference.write(out);
    CoBaState.writeFits(out, "windowX", windows);
    out.put("presentCounts", presentCount).put("presence", rows);
    CoBaState.writeSlopeHistories(out, slopeHistory);
    out.put("betaHistory", divergence.values()).put("betaSums", divergence.accumulators());
    out.put(CoBaState.WARMUP_REPORTS, warmupReports);
  }

  @Override
  protected void readState(StateReader in) {
    reference.read(in);
    CoBaState.readFits(in, "windowX", windows);
    in.copyInto("presentCounts", presentCount, 0);
    long[][] rows = in.getLongRows("presence");
    if (rows.length > history) {
      throw new InvalidInputException(
          "state.data.presence",
          "mftcoder CoBa state has "
              + rows.length
              + " reports in its window, more than historyLength "
              + history);
    }
    presenceHead = 0;
    presenceSize = rows.length;
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length != k() + 1) {
        throw new InvalidInputException(
            "state.data.presence",
            "mftcoder CoBa state has "
                + rows[r].length
                + " series in a report, expected "
                + (k() + 1));
      }
      for (int i = 0; i <= k(); i++) {
        presence[r][i] = rows[r][i] != 0;
      }
    }
    CoBaState.readSlopeHistories(in, slopeHistory);
    divergence.restore(
        in.getDoubles("betaHistory", StateReader.Values.FINITE),
        in.getDoubles("betaSums", StateReader.Values.SET));
    // before the count was kept: the window holds min(n, historyLength) reports and
    // historyLength >= warmupSteps, so min(n, warmupSteps) follows from it exactly
    warmupReports =
        CoBaState.readWarmupReports(
            in,
            settings.warmup(),
            lastStep() != null,
            () -> {
              if (presenceSize == 0) {
                throw CoBaState.underivable("its report window is empty after step " + lastStep());
              }
              return Math.min(presenceSize, settings.warmup());
            });
  }
}
