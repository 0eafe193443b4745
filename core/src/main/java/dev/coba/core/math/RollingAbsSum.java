package dev.coba.core.math;

/**
 * The last {@code capacity} values of a series and the sum of their absolute values,
 * updated in O(1); rebuilt once per {@code capacity} evictions, or when far more magnitude
 * has passed through the sum than it now holds, to bound rounding drift.
 */
public final class RollingAbsSum {
  private final double[] values;
  private int head;
  private int size;
  private int evictions;
  private double sum;

  /** Sum of |v| over every add and removal since the last rebuild. */
  private double passed;

  public RollingAbsSum(int capacity) {
    values = new double[capacity];
  }

  public void add(double v) {
    int cap = values.length;
    if (size == cap) {
      sum -= Math.abs(values[head]);
      passed += Math.abs(values[head]);
      head = (head + 1) % cap;
      size--;
      evictions++;
    }
    values[(head + size) % cap] = v;
    size++;
    sum += Math.abs(v);
    passed += Math.abs(v);
    if (evictions >= cap || passed > 256 * sum) {
      evictions = 0;
      sum = 0;
      for (int i = 0; i < size; i++) {
        sum += Math.abs(get(i));
      }
      passed = sum;
    }
  }

  /** Number of values held: min(capacity, values added). */
  public int size() {
    return size;
  }

  /** Sum of |v| over the values held. */
  public double absSum() {
    return sum;
  }

  /** The i-th value held, oldest first. */
  public double get(int i) {
    return values[(head + i) % values.length];
  }

  public double[] toArray() {
    double[] out = new double[size];
    for (int i = 0; i < size; i++) {
      out[i] = get(i);
    }
    return out;
  }

  /** The running sum and eviction count, so that a restored series continues bit-identically. */
  public double[] accumulators() {
    return new double[] {sum, evictions, passed};
  }

  /** Restores the values (oldest first) and {@link #accumulators()}. */
  public void restore(double[] v, double[] acc) {
    if (v.length > values.length || acc.length != 3) {
      throw new IllegalArgumentException(
          "series state does not fit a capacity of " + values.length);
    }
    head = 0;
    size = v.length;
    System.arraycopy(v, 0, values, 0, size);
    sum = acc[0];
    evictions = (int) acc[1];
    passed = acc[2];
  }
}
