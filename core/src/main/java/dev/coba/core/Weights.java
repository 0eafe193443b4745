package dev.coba.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Task weights in the run's task order: positive, summing to 1. Immutable. */
public final class Weights {
  private final List<String> tasks;
  private final double[] values;

  public Weights(List<String> tasks, double[] values) {
    if (tasks.size() != values.length) {
      throw new IllegalArgumentException("tasks and values differ in length");
    }
    this.tasks = List.copyOf(tasks);
    this.values = values.clone();
  }

  public static Weights uniform(List<String> tasks) {
    double[] w = new double[tasks.size()];
    Arrays.fill(w, 1.0 / tasks.size());
    return new Weights(tasks, w);
  }

  public List<String> tasks() {
    return tasks;
  }

  /** A copy of the weights in task order. */
  public double[] values() {
    return values.clone();
  }

  public double get(int index) {
    return values[index];
  }

  public double get(String task) {
    int i = tasks.indexOf(task);
    if (i < 0) {
      throw new IllegalArgumentException("unknown task: " + task);
    }
    return values[i];
  }

  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      m.put(tasks.get(i), values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Weights w && tasks.equals(w.tasks) && Arrays.equals(values, w.values);
  }

  @Override
  public int hashCode() {
    return 31 * tasks.hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
