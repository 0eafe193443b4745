package dev.coba.core.coba;

import dev.coba.core.InvalidInputException;
import dev.coba.core.math.RollingAbsSum;
import dev.coba.core.math.WindowedSlope;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;

/**
 * The state entries that both CoBa variants keep in the same form: the windowed slope fits
 * (points and running sums) and each task's recent slopes for ACS. One writer and one reader,
 * so that the variants' layouts cannot drift apart. Only the key of the fits' x values differs
 * (the paper variant's x is the step, MFTCoder's the rank of a present point).
 */
final class CoBaState {
  /**
   * The state key of the warm-up count: the reports applied so far, counted up to
   * {@code warmupSteps} (beyond that warm-up no longer depends on the count, so it stops).
   */
  static final String WARMUP_REPORTS = "warmupReports";

  private CoBaState() {}

  /**
   * Counts one more report for warm-up, stopping at {@code warmup}.
   *
   * @param counted the count before this report (at most {@code warmup})
   * @return the count after this report
   */
  static long countReport(long counted, int warmup) {
    return counted < warmup ? counted + 1 : counted;
  }

  /**
   * Whether the weights after this report stay uniform: with {@code n} the reports applied,
   * this one included, while {@code n + 1 < warmupSteps}. Exact with the stopped count too:
   * once it reaches {@code warmup} the answer is false for good.
   */
  static boolean warmingUp(long counted, int warmup) {
    return counted + 1 < warmup;
  }

  /**
   * Reads the warm-up count, refusing one that cannot be: 0 before any report, else between
   * 1 and {@code warmup}. A state written before the count existed lacks it: then it is
   * {@code derive}d from what the state holds, which refuses (naming the entry) when that
   * does not determine it exactly.
   */
  static long readWarmupReports(
      StateReader in, int warmup, boolean hasStep, java.util.function.LongSupplier derive) {
    if (!in.has(WARMUP_REPORTS)) {
      return hasStep ? derive.getAsLong() : 0;
    }
    long n = in.getLong(WARMUP_REPORTS);
    long min = hasStep ? Math.min(1, warmup) : 0;
    long max = hasStep ? warmup : 0;
    if (n < min || n > max) {
      throw new InvalidInputException(
          "state.data." + WARMUP_REPORTS,
          "CoBa state entry '"
              + WARMUP_REPORTS
              + "' (reports applied, counted up to warmupSteps "
              + warmup
              + ") must be in ["
              + min
              + ", "
              + max
              + "] "
              + (hasStep ? "after a report" : "before any report")
              + ", got "
              + n);
    }
    return n;
  }

  /** The refusal of a state from an older build whose warm-up count cannot be derived exactly. */
  static InvalidInputException underivable(String why) {
    return new InvalidInputException(
        "state.data." + WARMUP_REPORTS,
        "this CoBa state was written by an older build "
            + "and lacks '"
            + WARMUP_REPORTS
            + "' (warm-up now counts reports, not steps); it cannot be derived exactly "
            + "because "
            + why
            + ". Add '"
            + WARMUP_REPORTS
            + "' to the state's data: the number of reports it has "
            + "applied, counted up to warmupSteps");
  }

  /** Writes the fits under {@code xKey}, {@code windowRatios} and {@code windowSums}. */
  static void writeFits(StateWriter out, String xKey, WindowedSlope[] fits) {
    long[][] xs = new long[fits.length][];
    double[][] ys = new double[fits.length][];
    double[][] sums = new double[fits.length][];
    for (int i = 0; i < fits.length; i++) {
      xs[i] = fits[i].xValues();
      ys[i] = fits[i].yValues();
      sums[i] = fits[i].accumulators();
    }
    out.put(xKey, xs).put("windowRatios", ys).put("windowSums", sums);
  }

  /** Restores what {@link #writeFits} wrote into fits of the same number and capacity. */
  static void readFits(StateReader in, String xKey, WindowedSlope[] fits) {
    long[][] xs = in.getLongRows(xKey);
    double[][] ys =
        in.getDoubleRows("windowRatios", StateReader.Values.NON_NEGATIVE); // loss ratios
    double[][] sums = in.getDoubleRows("windowSums", StateReader.Values.SET);
    if (xs.length != fits.length || ys.length != fits.length || sums.length != fits.length) {
      throw new InvalidInputException(
          "state.data",
          "CoBa state has windows for "
              + xs.length
              + ", "
              + ys.length
              + " and "
              + sums.length
              + " series, expected "
              + fits.length);
    }
    for (int i = 0; i < fits.length; i++) {
      fits[i].restore(xs[i], ys[i], sums[i]);
    }
  }

  /** Writes each task's recent slopes under {@code slopeHistory} and their sums under {@code slopeSums}. */
  static void writeSlopeHistories(StateWriter out, RollingAbsSum[] histories) {
    double[][] slopes = new double[histories.length][];
    double[][] sums = new double[histories.length][];
    for (int i = 0; i < histories.length; i++) {
      slopes[i] = histories[i].toArray();
      sums[i] = histories[i].accumulators();
    }
    out.put("slopeHistory", slopes).put("slopeSums", sums);
  }

  /** Restores what {@link #writeSlopeHistories} wrote. */
  static void readSlopeHistories(StateReader in, RollingAbsSum[] histories) {
    double[][] slopes = in.getDoubleRows("slopeHistory", StateReader.Values.FINITE);
    double[][] sums = in.getDoubleRows("slopeSums", StateReader.Values.SET);
    if (slopes.length != histories.length || sums.length != histories.length) {
      throw new InvalidInputException(
          "state.data",
          "CoBa state has slope histories for "
              + slopes.length
              + " and "
              + sums.length
              + " tasks, expected "
              + histories.length);
    }
    for (int i = 0; i < histories.length; i++) {
      histories[i].restore(slopes[i], sums[i]);
    }
  }
}
