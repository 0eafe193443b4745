package dev.coba.core.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds the JSON-friendly {@code data} map of a state; NaN ("no value") becomes null. */
public final class StateWriter {
  private final Map<String, @Nullable Object> data = new LinkedHashMap<>();

  public StateWriter put(String key, long value) {
    data.put(key, value);
    return this;
  }

  public StateWriter put(String key, boolean value) {
    data.put(key, value);
    return this;
  }

  public StateWriter put(String key, double value) {
    data.put(key, Double.isNaN(value) ? null : value);
    return this;
  }

  public StateWriter put(String key, double[] values) {
    data.put(key, doubles(values));
    return this;
  }

  public StateWriter put(String key, long[] values) {
    List<Long> list = new ArrayList<>(values.length);
    for (long v : values) {
      list.add(v);
    }
    data.put(key, list);
    return this;
  }

  public StateWriter put(String key, double[][] rows) {
    List<List<@Nullable Double>> list = new ArrayList<>(rows.length);
    for (double[] row : rows) {
      list.add(doubles(row));
    }
    data.put(key, list);
    return this;
  }

  public StateWriter put(String key, long[][] rows) {
    List<List<Long>> list = new ArrayList<>(rows.length);
    for (long[] row : rows) {
      List<Long> r = new ArrayList<>(row.length);
      for (long v : row) {
        r.add(v);
      }
      list.add(r);
    }
    data.put(key, list);
    return this;
  }

  public Map<String, @Nullable Object> build() {
    return data;
  }

  private static List<@Nullable Double> doubles(double[] values) {
    List<@Nullable Double> list = new ArrayList<>(values.length);
    for (double v : values) {
      list.add(Double.isNaN(v) ? null : v);
    }
    return list;
  }
}
