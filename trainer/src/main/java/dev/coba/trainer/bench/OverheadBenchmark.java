package dev.coba.trainer.bench;

import dev.coba.trainer.data.TaskData;
import dev.coba.trainer.train.StepTimer;
import dev.coba.trainer.train.TrainSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seconds per training step of balanced variants against {@code uniform}, measured in one
 * process: each variant trains its own model (same data, seed and size) and they take turns in
 * blocks of {@code block} steps, the order rotating every round, so that drift (JIT, caches,
 * a neighbour on the machine) falls on all of them alike. Per variant the median over rounds of a
 * block's seconds per step; the ratio is that median over uniform's.
 */
public final class OverheadBenchmark {
  /** One variant's result: the median, the quartiles, and the ratio to uniform's median. */
  public record Row(
      String name, double medianSeconds, double p25Seconds, double p75Seconds, double ratio) {}

  private final List<TaskData> tasks;
  private final TrainSettings settings;

  public OverheadBenchmark(List<TaskData> tasks, TrainSettings settings) {
    this.tasks = List.copyOf(tasks);
    this.settings = settings;
  }

  /**
   * @param variants name → (method, valEvery); the first must be uniform (the baseline)
   * @param warmup steps each variant trains before timing
   */
  public List<Row> run(Map<String, StepTimer.Variant> variants, int rounds, int block, int warmup) {
    List<StepTimer> timers = new ArrayList<>();
    variants.forEach((name, v) -> timers.add(new StepTimer(tasks, settings, v)));
    try {
      timers.forEach(t -> t.time(warmup));
      Map<String, double[]> samples = new LinkedHashMap<>();
      List<String> names = List.copyOf(variants.keySet());
      names.forEach(n -> samples.put(n, new double[rounds]));
      for (int round = 0; round < rounds; round++) {
        for (int j = 0; j < timers.size(); j++) {
          int i = (j + round) % timers.size();
          samples.get(names.get(i))[round] = timers.get(i).time(block) / block;
        }
      }
      double base = quantile(samples.get(names.get(0)), 0.5);
      List<Row> rows = new ArrayList<>();
      samples.forEach(
          (name, s) ->
              rows.add(
                  new Row(
                      name,
                      quantile(s, 0.5),
                      quantile(s, 0.25),
                      quantile(s, 0.75),
                      quantile(s, 0.5) / base)));
      return rows;
    } finally {
      timers.forEach(StepTimer::close);
    }
  }

  static double quantile(double[] values, double q) {
    double[] s = values.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = (int) Math.ceil(pos);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  }
}
