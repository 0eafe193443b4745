package dev.coba.core.coba;

import dev.coba.core.InvalidInputException;
import dev.coba.core.math.RollingAbsSum;
import dev.coba.core.math.WindowedSlope;
import dev.coba.core.state.StateReader;
import dev.coba.core.state.StateWriter;

/**
 * The state entries that both CoBa variants keep in the same form: the windowed slope fits
 * (points and running sums) and each task's recent slopes for ACS. One writer and one reader,
 * so that the variants' layouts cannot drift apart. Only the key of the fits' x values differs
 * (the paper variant's x is the step, MFTCoder's the rank of a present point).
 */
final class CoBaState {
  private CoBaState() {}

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
    double[][] ys = in.getDoubleRows("windowRatios");
    double[][] sums = in.getDoubleRows("windowSums");
    if (xs.length != fits.length || ys.length != fits.length || sums.length != fits.length) {
      throw new InvalidInputException("state.data", "CoBa state has windows for " + xs.length + ", " + ys.length
          + " and " + sums.length + " series, expected " + fits.length);
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
    double[][] slopes = in.getDoubleRows("slopeHistory");
    double[][] sums = in.getDoubleRows("slopeSums");
    if (slopes.length != histories.length || sums.length != histories.length) {
      throw new InvalidInputException("state.data", "CoBa state has slope histories for " + slopes.length + " and "
          + sums.length + " tasks, expected " + histories.length);
    }
    for (int i = 0; i < histories.length; i++) {
      histories[i].restore(slopes[i], sums[i]);
    }
  }
}
