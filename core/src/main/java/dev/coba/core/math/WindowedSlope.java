package dev.coba.core.math;

/**
 * The ordinary-least-squares slope of y against x over the last {@code capacity} points,
 * updated in O(1) per point.
 *
 * <p>Why it stays exact: x values are integers kept relative to an anchor, so their sums
 * are exact in a double; the y sums are double-double accumulators fed by error-free
 * transformations (TwoSum, TwoProduct via FMA), so removing a huge value leaves no
 * rounding residue behind, and the slope's numerator is formed in double-double too, so an
 * outlier inside the window does not cancel the other points' digits away. The sums are
 * rebuilt from the window once per {@code REBUILD_EVERY * capacity} evictions (amortised O(1))
 * so that the anchor follows the window and x offsets stay small; rarely, so that the O(N)
 * rebuild stays out of the latency percentiles that matter.
 */
public final class WindowedSlope {
  private static final int REBUILD_EVERY = 8;
  private final long[] xs;
  private final double[] ys;
  private int head;
  private int size;
  private int evictions;
  private long anchorX;
  private double anchorY;
  private double sx;
  private double sxx;
  private final DoubleDouble sy = new DoubleDouble();
  private final DoubleDouble sxy = new DoubleDouble();

  public WindowedSlope(int capacity) {
    if (capacity < 2) {
      throw new IllegalArgumentException("a slope needs a window of at least 2 points");
    }
    xs = new long[capacity];
    ys = new double[capacity];
  }

  public int capacity() {
    return xs.length;
  }

  public int size() {
    return size;
  }

  /** Adds a point; x must exceed the previous x. Evicts the oldest point when full. */
  public void add(long x, double y) {
    int cap = xs.length;
    if (size == 0) {
      anchorX = x;
      anchorY = y;
    }
    if (size == cap) {
      removeOldest();
    }
    int tail = (head + size) % cap;
    xs[tail] = x;
    ys[tail] = y;
    size++;
    accumulate(x, y, 1);
    if (evictions >= REBUILD_EVERY * cap) {
      rebuild();
    }
  }

  /** Drops the oldest point (for windows bounded by something other than a point count). */
  public void removeOldest() {
    if (size == 0) {
      throw new IllegalStateException("empty window");
    }
    accumulate(xs[head], ys[head], -1);
    head = (head + 1) % xs.length;
    size--;
    evictions++;
    if (size == 0) {
      evictions = 0;
      sx = sxx = 0;
      sy.set(0, 0);
      sxy.set(0, 0);
    }
  }

  private void accumulate(long x, double y, int sign) {
    double dx = x - anchorX;
    double dy = y - anchorY;
    double dyErr = DoubleDouble.subtractionError(y, anchorY, dy);
    sx += sign * dx;
    sxx += sign * dx * dx;
    sy.add(sign * dy);
    sxy.addProduct(sign * dx, dy);
    if (dyErr != 0) { // usually y - anchorY is exact
      sy.add(sign * dyErr);
      sxy.addProduct(sign * dx, dyErr);
    }
  }

  /** True once the window holds two points. */
  public boolean hasSlope() {
    return size >= 2;
  }

  /** The OLS slope dy/dx over the window: (n*Sxy - Sx*Sy) / (n*Sxx - Sx^2); 0 before two points. */
  public double slope() {
    if (size < 2) {
      return 0;
    }
    double n = size;
    DoubleDouble num = new DoubleDouble();
    num.addScaled(n, sxy);
    num.addScaled(-sx, sy);
    return num.value() / denominator(n);
  }

  /** n*Sxx - Sx^2: integers, exact in long arithmetic unless they are astronomically large. */
  private double denominator(double n) {
    if (Math.abs(sx) < 0x1p31 && sxx < 0x1p52 / n) {
      long lx = (long) sx;
      return (double) ((long) n * (long) sxx - lx * lx);
    }
    DoubleDouble den = new DoubleDouble();
    den.addProduct(n, sxx);
    den.addProduct(-sx, sx);
    return den.value();
  }

  /** The x of the i-th point, oldest first. */
  public long x(int i) {
    return xs[(head + i) % xs.length];
  }

  /** The y of the i-th point, oldest first. */
  public double y(int i) {
    return ys[(head + i) % ys.length];
  }

  /** The points' x values, oldest first. */
  public long[] xValues() {
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      out[i] = x(i);
    }
    return out;
  }

  /** The points' y values, oldest first. */
  public double[] yValues() {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = y(i);
    }
    return out;
  }

  /** The running accumulators, so that a restored window continues bit-identically. */
  public double[] accumulators() {
    return new double[] {
      anchorX, anchorY, sx, sxx, sy.hi(), sy.lo(), sxy.hi(), sxy.lo(), evictions
    };
  }

  /** Restores points (oldest first) and the accumulators from {@link #accumulators()}. */
  public void restore(long[] x, double[] y, double[] acc) {
    if (x.length != y.length || x.length > xs.length || acc.length != 9) {
      throw new IllegalArgumentException("window state does not fit a window of " + xs.length);
    }
    head = 0;
    size = x.length;
    System.arraycopy(x, 0, xs, 0, size);
    System.arraycopy(y, 0, ys, 0, size);
    anchorX = (long) acc[0];
    anchorY = acc[1];
    sx = acc[2];
    sxx = acc[3];
    sy.set(acc[4], acc[5]);
    sxy.set(acc[6], acc[7]);
    evictions = (int) acc[8];
  }

  private void rebuild() {
    evictions = 0;
    sx = sxx = 0;
    sy.set(0, 0);
    sxy.set(0, 0);
    anchorX = x(0);
    anchorY = y(size - 1);
    for (int i = 0; i < size; i++) {
      accumulate(x(i), y(i), 1);
    }
  }
}
