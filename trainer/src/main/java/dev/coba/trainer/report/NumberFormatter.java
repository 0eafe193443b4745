package dev.coba.trainer.report;

import java.util.Locale;

/**
 * How the tables show numbers: four significant digits for reading, and the exact value (the same
 * text as {@code results.json}, which Jackson writes with {@link Double#toString}) for checking.
 */
final class NumberFormatter {
  private NumberFormatter() {}

  /** Four significant digits, the same in every locale; NaN and infinities as Java names them. */
  static String fourSignificant(double value) {
    if (!Double.isFinite(value)) {
      return Double.toString(value);
    }
    return String.format(Locale.ROOT, "%.4g", value);
  }

  /** The shortest text that reads back as exactly {@code value}. */
  static String exact(double value) {
    return Double.toString(value);
  }
}
