package dev.coba.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Checks that a restored state writes back what it was given: every entry of the given
 * {@code data} appears in the state the restored method exports, with the same values.
 * A generic guard beside each method's own checks: it refuses entries a method does not
 * read (a misspelt key would otherwise be ignored silently) and values it would not keep as
 * given. Entries the method adds (derived from an older layout) are not compared.
 */
final class RoundTrip {
  private RoundTrip() {}

  static void check(
      Map<String, ? extends @Nullable Object> given,
      Map<String, ? extends @Nullable Object> written) {
    for (Map.Entry<String, ? extends @Nullable Object> e : given.entrySet()) {
      String field = "state.data." + e.getKey();
      if (!written.containsKey(e.getKey())) {
        throw new InvalidInputException(
            field,
            "state entry '"
                + e.getKey()
                + "' is not one this method keeps; its entries are "
                + written.keySet());
      }
      if (!same(e.getValue(), written.get(e.getKey()))) {
        throw new InvalidInputException(
            field,
            "state entry '"
                + e.getKey()
                + "' does not read back as given: "
                + "the method cannot hold these values");
      }
    }
  }

  private static boolean same(@Nullable Object a, @Nullable Object b) {
    a = plain(a);
    b = plain(b);
    if (a == null || b == null) {
      return isUnset(a) && isUnset(b);
    }
    if (a instanceof Number x && b instanceof Number y) {
      double dx = x.doubleValue();
      double dy = y.doubleValue();
      return dx == dy || (Double.isNaN(dx) && Double.isNaN(dy));
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!same(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (Object k : x.keySet()) {
        if (!same(x.get(k), y.get(k))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  /** Arrays as lists, as JSON carries them. */
  private static @Nullable Object plain(@Nullable Object v) {
    if (v instanceof double[] d) {
      return Arrays.stream(d).boxed().toList();
    }
    if (v instanceof long[] l) {
      return Arrays.stream(l).boxed().toList();
    }
    return v;
  }

  /** Null is NaN: "no value". */
  private static boolean isUnset(@Nullable Object v) {
    return v == null || (v instanceof Double d && d.isNaN());
  }
}
