package dev.coba.core.spi;

import dev.coba.core.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a state's {@code data} map as written by {@link StateWriter}, or as it comes back
 * from JSON (lists of numbers, null for NaN). A missing or mistyped entry is refused with
 * the field name.
 */
public final class StateReader {
  private final Map<String, ? extends @Nullable Object> data;

  public StateReader(Map<String, ? extends @Nullable Object> data) {
    this.data = data;
  }

  /**
   * What the numbers of an entry may be. A method reads each entry with the rule it relies on,
   * so that a hand-edited state it could not use (a reference loss of 0, a negative variance)
   * is refused on restore rather than turning the next weights into NaN. "Unset" is null in
   * JSON and NaN in memory: a value not known yet.
   */
  public enum Values {
    /** Any number but unset (running sums, whose range the method does not bound). */
    SET("a number, not null", v -> !Double.isNaN(v)),
    FINITE("a finite number", Double::isFinite),
    NON_NEGATIVE("a finite number >= 0", v -> Double.isFinite(v) && v >= 0),
    NON_NEGATIVE_OR_UNSET(
        "a finite number >= 0 or null", v -> Double.isNaN(v) || (Double.isFinite(v) && v >= 0)),
    POSITIVE_OR_UNSET(
        "a finite number > 0 or null", v -> Double.isNaN(v) || (Double.isFinite(v) && v > 0));

    private final String description;
    private final java.util.function.DoublePredicate test;

    Values(String description, java.util.function.DoublePredicate test) {
      this.description = description;
      this.test = test;
    }

    /** Refuses the first value outside the rule, naming it as {@code state.data.key[i]}. */
    void check(String at, double[] values) {
      for (int i = 0; i < values.length; i++) {
        if (!test.test(values[i])) {
          throw new InvalidInputException(
              "state.data." + at + "[" + i + "]",
              "state entry '"
                  + at
                  + "["
                  + i
                  + "]' must be "
                  + description
                  + ", got "
                  + (Double.isNaN(values[i]) ? "null" : values[i]));
        }
      }
    }
  }

  /** Whether the state has the entry (a state written by an older build may lack a newer one). */
  public boolean has(String key) {
    return data.containsKey(key);
  }

  public long getLong(String key) {
    return whole(key, require(key));
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

  /** {@link #getDoubles(String)}, each value within {@code allowed}. */
  public double[] getDoubles(String key, Values allowed) {
    double[] values = getDoubles(key);
    allowed.check(key, values);
    return values;
  }

  /** {@link #copyInto(String, double[])}, each value within {@code allowed}. */
  public void copyInto(String key, double[] target, Values allowed) {
    double[] values = getDoubles(key, allowed);
    checkLength(key, values.length, target.length);
    System.arraycopy(values, 0, target, 0, values.length);
  }

  /** {@link #getDoubleRows(String)}, each value within {@code allowed}. */
  public double[][] getDoubleRows(String key, Values allowed) {
    double[][] rows = getDoubleRows(key);
    for (int i = 0; i < rows.length; i++) {
      allowed.check(key + "[" + i + "]", rows[i]);
    }
    return rows;
  }

  /** A whole number of at least {@code min}. */
  public long getLong(String key, long min) {
    long v = getLong(key);
    if (v < min) {
      throw new InvalidInputException(
          "state.data." + key, "state entry '" + key + "' must be >= " + min + ", got " + v);
    }
    return v;
  }

  /** {@link #copyInto(String, long[])}, each value at least {@code min}. */
  public void copyInto(String key, long[] target, long min) {
    copyInto(key, target);
    for (int i = 0; i < target.length; i++) {
      if (target[i] < min) {
        throw new InvalidInputException(
            "state.data." + key + "[" + i + "]",
            "state entry '" + key + "[" + i + "]' must be >= " + min + ", got " + target[i]);
      }
    }
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
      out[i] = whole(key, list.get(i));
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
        out[i][j] = whole(key, row.get(j));
      }
    }
    return out;
  }

  private static void checkLength(String key, int length, int expected) {
    if (length != expected) {
      throw new InvalidInputException(
          "state.data." + key,
          "state entry '" + key + "' has " + length + " values, expected " + expected);
    }
  }

  private @Nullable Object require(String key) {
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

  private static List<?> list(String key, @Nullable Object v) {
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

  private static Number number(String key, @Nullable Object v) {
    if (v instanceof Number n) {
      return n;
    }
    throw bad(key, "a number");
  }

  /** A whole number as a long; a fraction or a number beyond a long is refused, never truncated. */
  private static long whole(String key, @Nullable Object v) {
    Number n = number(key, v);
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    if (n instanceof java.math.BigInteger b && b.bitLength() < 64) {
      return b.longValue();
    }
    double d = n.doubleValue();
    if (!(n instanceof java.math.BigInteger) && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
      return (long) d;
    }
    throw bad(key, "a whole number");
  }

  private static InvalidInputException bad(String key, String what) {
    return new InvalidInputException(
        "state.data." + key, "state entry '" + key + "' must be " + what);
  }
}
