package dev.coba.core.state;

import dev.coba.core.InvalidInputException;
import java.util.List;
import java.util.Map;

/**
 * Reads a state's {@code data} map as written by {@link StateWriter}, or as it comes back
 * from JSON (lists of numbers, null for NaN). A missing or mistyped entry is refused with
 * the field name.
 */
public final class StateReader {
  private final Map<String, Object> data;

  public StateReader(Map<String, Object> data) {
    this.data = data;
  }

  /** Whether the state has the entry (a state written by an older build may lack a newer one). */
  public boolean has(String key) {
    return data.containsKey(key);
  }

  public long getLong(String key) {
    return number(key, require(key)).longValue();
  }

  public boolean getBool(String key) {
    if (require(key) instanceof Boolean b) {
      return b;
    }
    throw bad(key, "a boolean");
  }

  public double getDouble(String key) {
    Object v = data.get(key);
    return v == null ? Double.NaN : number(key, v).doubleValue();
  }

  public double[] getDoubles(String key) {
    return doubles(key, list(key, require(key)));
  }

  /**
   * Reads a list of numbers into {@code target}, which it must fill exactly: a state written
   * for another number of tasks is refused, naming the entry.
   */
  public void copyInto(String key, double[] target) {
    double[] values = getDoubles(key);
    checkLength(key, values.length, target.length);
    System.arraycopy(values, 0, target, 0, values.length);
  }

  /** {@link #copyInto(String, double[])} for whole numbers. */
  public void copyInto(String key, long[] target) {
    long[] values = getLongs(key);
    checkLength(key, values.length, target.length);
    System.arraycopy(values, 0, target, 0, values.length);
  }

  public long[] getLongs(String key) {
    List<?> list = list(key, require(key));
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(key, list.get(i)).longValue();
    }
    return out;
  }

  public double[][] getDoubleRows(String key) {
    List<?> rows = list(key, require(key));
    double[][] out = new double[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = doubles(key, list(key, rows.get(i)));
    }
    return out;
  }

  public long[][] getLongRows(String key) {
    List<?> rows = list(key, require(key));
    long[][] out = new long[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      List<?> row = list(key, rows.get(i));
      out[i] = new long[row.size()];
      for (int j = 0; j < out[i].length; j++) {
        out[i][j] = number(key, row.get(j)).longValue();
      }
    }
    return out;
  }

  private static void checkLength(String key, int length, int expected) {
    if (length != expected) {
      throw new InvalidInputException("state.data." + key,
          "state entry '" + key + "' has " + length + " values, expected " + expected);
    }
  }

  private Object require(String key) {
    if (!data.containsKey(key)) {
      throw new InvalidInputException("state.data." + key, "state lacks '" + key + "'");
    }
    return data.get(key);
  }

  private static double[] doubles(String key, List<?> list) {
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      Object v = list.get(i);
      out[i] = v == null ? Double.NaN : number(key, v).doubleValue();
    }
    return out;
  }

  private static List<?> list(String key, Object v) {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof double[] a) {
      return java.util.Arrays.stream(a).boxed().toList();
    }
    if (v instanceof long[] a) {
      return java.util.Arrays.stream(a).boxed().toList();
    }
    throw bad(key, "a list");
  }

  private static Number number(String key, Object v) {
    if (v instanceof Number n) {
      return n;
    }
    throw bad(key, "a number");
  }

  private static InvalidInputException bad(String key, String what) {
    return new InvalidInputException("state.data." + key, "state entry '" + key + "' must be " + what);
  }
}
