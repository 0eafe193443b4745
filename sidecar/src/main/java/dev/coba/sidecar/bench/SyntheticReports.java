package dev.coba.sidecar.bench;

import dev.coba.core.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Reports for benchmarks: every task present at every step, validation and training losses
 * decaying exponentially to a floor with a few percent of noise (what a validation mini-batch
 * gives), and gradient norms so that methods which need them (gradnorm) run too. Each task
 * has its own start, floor and speed, so slopes differ and no guard short-cuts the work.
 */
public final class SyntheticReports {
  private SyntheticReports() {}

  /** Task names {@code task0 .. task<k-1>}. */
  public static List<String> tasks(int k) {
    List<String> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      out.add("task" + i);
    }
    return out;
  }

  /** Reports for steps 1..{@code steps}, deterministic for a seed. */
  public static List<Report> generate(List<String> tasks, int steps, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int k = tasks.size();
    double[] start = new double[k];
    double[] floor = new double[k];
    double[] timeConstant = new double[k];
    for (int i = 0; i < k; i++) {
      start[i] = 1.5 + random.nextDouble();
      floor[i] = 0.3 + 0.6 * random.nextDouble();
      timeConstant[i] = steps * (0.05 + 0.5 * random.nextDouble());
    }
    List<Report> out = new ArrayList<>(steps);
    for (int step = 1; step <= steps; step++) {
      Map<String, Double> val = new LinkedHashMap<>();
      Map<String, Double> train = new LinkedHashMap<>();
      Map<String, Double> grad = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        double clean = floor[i] + (start[i] - floor[i]) * Math.exp(-step / timeConstant[i]);
        val.put(tasks.get(i), clean * (1 + 0.03 * gaussian(random)));
        train.put(tasks.get(i), clean * (0.95 + 0.05 * gaussian(random)));
        grad.put(tasks.get(i), 0.5 + 0.1 * Math.abs(gaussian(random)));
      }
      out.add(new Report(step, val, train, grad));
    }
    return out;
  }

  /** A standard normal deviate clipped at 3 sigma, so that no loss goes negative. */
  private static double gaussian(SplittableRandom random) {
    double u = random.nextDouble(Double.MIN_VALUE, 1.0);
    double v = random.nextDouble();
    double z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(-3, Math.min(3, z));
  }
}
