package dev.coba.core.coba;

import dev.coba.core.AbstractBalancer;
import dev.coba.core.InvalidInputException;
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
 * (zero logits, DF = 1) instead of returning NaN. Reports are counted, not stepped: the
 * step number only decides warm-up ({@code step + 1 < warmupSteps} gives uniform weights).
 * O(K) per report plus O(T) for DF, like the paper variant.
 */
public final class MftCoderCoBa extends AbstractBalancer {
  private final int warmup;
  private final int history;
  private final double tau;
  private final boolean useRcs;
  private final boolean useAcs;
  private final boolean useDf;

  private final double[] reference;
  /** Per task: the present points of the report window, x = the task's running count of present points. */
  private final WindowedSlope[] windows;
  private final long[] presentCount;
  /** The same for the per-report maximum ratio over tasks. */
  private final WindowedSlope maxWindow;
  private long maxPresentCount;
  /** Which tasks (index K: the max series) were present in each report of the window, oldest first. */
  private final boolean[][] presence;
  private int presenceHead;
  private int presenceSize;

  private final RollingAbsSum[] slopeHistory;
  private final DivergenceFactor divergence = new DivergenceFactor();

  MftCoderCoBa(List<String> tasks, Params params, double[] initialLosses) {
    super("coba", tasks, params, initialLosses);
    warmup = params.getInt("warmupSteps");
    history = params.getInt("historyLength");
    tau = params.getDouble("tau");
    useRcs = params.getBool("useRcs");
    useAcs = params.getBool("useAcs");
    useDf = params.getBool("useDf");
    if (warmup < 3) {
      throw new InvalidInputException("params.warmupSteps",
          "variant mftcoder needs warmupSteps >= 3 (MFTCoder itself fails below that), got " + warmup);
    }
    if (history < warmup) {
      throw new InvalidInputException("params.historyLength",
          "variant mftcoder needs historyLength >= warmupSteps (MFTCoder's ACS window is historyLength - warmupSteps + 1), got "
              + history + " < " + warmup);
    }
    reference = initialLosses.clone();
    windows = new WindowedSlope[k];
    slopeHistory = new RollingAbsSum[k];
    for (int i = 0; i < k; i++) {
      windows[i] = new WindowedSlope(history);
      slopeHistory[i] = new RollingAbsSum(history - warmup + 1);
    }
    presentCount = new long[k];
    maxWindow = new WindowedSlope(history);
    presence = new boolean[history][k + 1];
  }

  @Override
  protected void check(TaskReport report) {
    // a report naming no task is legal here: every task is absent (MFTCoder's all-zero column)
  }

  @Override
  protected Update apply(TaskReport report) {
    long t = report.step();
    double[] ratios = new double[k];
    double maxRatio = 0;
    for (int i = 0; i < k; i++) {
      double loss = report.hasVal(i) ? report.val()[i] : 0;
      if (loss > 0 && Double.isNaN(reference[i])) {
        reference[i] = loss; // MFTCoder always has the step-0 pass; without it, the first loss
      }
      ratios[i] = loss > 0 ? loss / reference[i] : 0;
      maxRatio = Math.max(maxRatio, ratios[i]);
    }
    slideWindow(ratios, maxRatio);
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", ratios);
    if (t + 1 < warmup) {
      return new Update(t, Weights.uniform(tasks), objective(), perTask, Map.of());
    }

    double[] alpha = new double[k];
    for (int i = 0; i < k; i++) {
      alpha[i] = windows[i].slope();
      slopeHistory[i].add(alpha[i]);
    }
    double beta = maxWindow.slope();
    divergence.append(beta);

    double[] rcs = new double[k];
    double norm = 0;
    for (double a : alpha) {
      norm += Math.abs(a);
    }
    for (int i = 0; i < k; i++) {
      rcs[i] = norm == 0 ? 0 : k * alpha[i] / norm;
    }
    Softmax.apply(rcs, rcs);
    double[] acs = new double[k];
    for (int i = 0; i < k; i++) {
      double s = slopeHistory[i].absSum();
      acs[i] = s == 0 ? 0 : -slopeHistory[i].size() * alpha[i] / s;
    }
    Softmax.apply(acs, acs);
    double df = useDf ? divergence.uncapped(tau) : 0.5;

    double[] w = new double[k];
    for (int i = 0; i < k; i++) {
      double z = !useAcs ? rcs[i] : !useRcs ? acs[i] : df * rcs[i] + (1 - df) * acs[i];
      w[i] = k * z;
    }
    Softmax.apply(w, w);
    double floor = 1.0 / (10.0 * k);
    boolean below = false;
    for (double v : w) {
      below |= v < floor;
    }
    if (below) {
      double scale = 1 - floor * k;
      for (int i = 0; i < k; i++) {
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
    return new Update(t, new Weights(tasks, w), objective(), perTask, scalars);
  }

  /** Appends one report to the window of the last {@code historyLength} reports, dropping the oldest. */
  private void slideWindow(double[] ratios, double maxRatio) {
    if (presenceSize == history) {
      boolean[] oldest = presence[presenceHead];
      for (int i = 0; i < k; i++) {
        if (oldest[i]) {
          windows[i].removeOldest();
        }
      }
      if (oldest[k]) {
        maxWindow.removeOldest();
      }
      presenceHead = (presenceHead + 1) % history;
      presenceSize--;
    }
    boolean[] row = presence[(presenceHead + presenceSize) % history];
    for (int i = 0; i < k; i++) {
      row[i] = ratios[i] != 0;
      if (row[i]) {
        windows[i].add(presentCount[i]++, ratios[i]);
      }
    }
    row[k] = maxRatio != 0;
    if (row[k]) {
      maxWindow.add(maxPresentCount++, maxRatio);
    }
    presenceSize++;
  }

  @Override
  protected void writeState(StateWriter out) {
    long[][] xs = new long[k + 1][];
    double[][] ys = new double[k + 1][];
    double[][] acc = new double[k + 1][];
    for (int i = 0; i <= k; i++) {
      WindowedSlope w = i < k ? windows[i] : maxWindow;
      xs[i] = w.xValues();
      ys[i] = w.yValues();
      acc[i] = w.accumulators();
    }
    long[] counts = Arrays.copyOf(presentCount, k + 1);
    counts[k] = maxPresentCount;
    long[][] rows = new long[presenceSize][k + 1];
    for (int r = 0; r < presenceSize; r++) {
      boolean[] row = presence[(presenceHead + r) % history];
      for (int i = 0; i <= k; i++) {
        rows[r][i] = row[i] ? 1 : 0;
      }
    }
    double[][] slopes = new double[k][];
    double[][] slopeAcc = new double[k][];
    for (int i = 0; i < k; i++) {
      slopes[i] = slopeHistory[i].toArray();
      slopeAcc[i] = slopeHistory[i].accumulators();
    }
    out.put("reference", reference)
        .put("windowX", xs)
        .put("windowRatios", ys)
        .put("windowSums", acc)
        .put("presentCounts", counts)
        .put("presence", rows)
        .put("slopeHistory", slopes)
        .put("slopeSums", slopeAcc)
        .put("betaHistory", divergence.values())
        .put("betaSums", divergence.accumulators());
  }

  @Override
  protected void readState(StateReader in) {
    double[] ref = in.getDoubles("reference");
    long[][] xs = in.getLongRows("windowX");
    double[][] ys = in.getDoubleRows("windowRatios");
    double[][] acc = in.getDoubleRows("windowSums");
    long[] counts = in.getLongs("presentCounts");
    long[][] rows = in.getLongRows("presence");
    double[][] slopes = in.getDoubleRows("slopeHistory");
    double[][] slopeAcc = in.getDoubleRows("slopeSums");
    if (ref.length != k || xs.length != k + 1 || ys.length != k + 1 || acc.length != k + 1
        || counts.length != k + 1 || rows.length > history || slopes.length != k || slopeAcc.length != k) {
      throw new InvalidInputException("state.data", "mftcoder CoBa state does not fit " + k + " tasks");
    }
    System.arraycopy(ref, 0, reference, 0, k);
    for (int i = 0; i <= k; i++) {
      (i < k ? windows[i] : maxWindow).restore(xs[i], ys[i], acc[i]);
    }
    System.arraycopy(counts, 0, presentCount, 0, k);
    maxPresentCount = counts[k];
    presenceHead = 0;
    presenceSize = rows.length;
    for (int r = 0; r < rows.length; r++) {
      for (int i = 0; i <= k; i++) {
        presence[r][i] = rows[r][i] != 0;
      }
    }
    for (int i = 0; i < k; i++) {
      slopeHistory[i].restore(slopes[i], slopeAcc[i]);
    }
    divergence.restore(in.getDoubles("betaHistory"), in.getDoubles("betaSums"));
  }
}
