package dev.coba.core.math;

/**
 * A running sum kept as an unevaluated pair {@code hi + lo} (about 106 significant bits),
 * fed through error-free transformations. Used where a window adds and later removes
 * values, so that what leaves takes its rounding error with it.
 */
final class DoubleDouble {
  private double hi;
  private double lo;

  double hi() {
    return hi;
  }

  double lo() {
    return lo;
  }

  double value() {
    return hi + lo;
  }

  void set(double hi, double lo) {
    this.hi = hi;
    this.lo = lo;
  }

  /** Adds {@code v} exactly (Knuth's TwoSum), folding the error into {@code lo}. */
  void add(double v) {
    double s = hi + v;
    double bb = s - hi;
    double err = (hi - (s - bb)) + (v - bb);
    double lowSum = lo + err;
    hi = s + lowSum;
    lo = lowSum - (hi - s);
  }

  /** Adds {@code a * b}, the product's rounding error included (TwoProduct with FMA). */
  void addProduct(double a, double b) {
    double p = a * b;
    double e = Math.fma(a, b, -p);
    add(p);
    add(e);
  }

  /** Adds {@code a * other}. */
  void addScaled(double a, DoubleDouble other) {
    addProduct(a, other.hi);
    addProduct(a, other.lo);
  }

  /** The rounding error of {@code d = a - b} (TwoDiff), so that {@code a - b == d + error} exactly. */
  static double subtractionError(double a, double b, double d) {
    double bb = a - d;
    return (a - (d + bb)) + (bb - b);
  }
}
