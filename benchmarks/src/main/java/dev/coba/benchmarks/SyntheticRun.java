package dev.coba.benchmarks;

import dev.coba.core.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Reports of a plausible run: K tasks, decaying losses with noise, every task every step. */
final class SyntheticRun {
  private SyntheticRun() {}

  static List<String> tasks(int k) {
    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      tasks.add("task" + i);
    }
    return tasks;
  }

  static Report[] reports(int k, int steps, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] rate = new double[k];
    for (int i = 0; i < k; i++) {
      rate[i] = 0.0002 + 0.002 * rnd.nextDouble();
    }
    Report[] out = new Report[steps];
    for (int s = 0; s < steps; s++) {
      Map<String, Double> losses = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        double loss = (0.5 + 2 * Math.exp(-rate[i] * s)) * (1 + 0.02 * (rnd.nextDouble() - 0.5));
        losses.put("task" + i, loss);
      }
      out[s] = Report.of(s + 1, losses);
    }
    return out;
  }
}
