package dev.coba.core.coba;

import dev.coba.core.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random loss histories shaped like real runs: decaying losses with noise, some tasks
 * turning upward (overfitting), irregular step gaps, tasks missing from some reports,
 * the odd exact zero and huge loss.
 */
record RandomHistory(List<String> tasks, Map<String, Double> initialLosses, List<Report> reports) {

  static RandomHistory generate(Random rnd, int maxTasks, int maxReports) {
    int k = 1 + rnd.nextInt(maxTasks);
    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      tasks.add("task" + i);
    }
    double[] scale = new double[k];
    double[] rate = new double[k];
    double[] turn = new double[k];
    for (int i = 0; i < k; i++) {
      scale[i] = Math.exp(rnd.nextGaussian() * 2);
      rate[i] = 0.001 + rnd.nextDouble() * 0.05;
      turn[i] = rnd.nextDouble() < 0.3 ? rnd.nextInt(300) : Double.POSITIVE_INFINITY;
    }
    Map<String, Double> initial = new LinkedHashMap<>();
    boolean withInitial = rnd.nextBoolean();
    if (withInitial) {
      for (int i = 0; i < k; i++) {
        if (rnd.nextDouble() < 0.9) {
          initial.put(tasks.get(i), scale[i] * (1 + 0.05 * rnd.nextGaussian() * 0.1));
        }
      }
    }
    int count = 1 + rnd.nextInt(maxReports);
    long step = withInitial ? 1 + rnd.nextInt(3) : rnd.nextInt(3);
    boolean gaps = rnd.nextBoolean();
    double missing = rnd.nextDouble() < 0.5 ? 0 : rnd.nextDouble() * 0.3;
    List<Report> reports = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      Map<String, Double> losses = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        if (rnd.nextDouble() < missing && !(i == k - 1 && losses.isEmpty())) {
          continue;
        }
        double base = scale[i] * (0.2 + Math.exp(-rate[i] * step));
        if (step > turn[i]) {
          base += scale[i] * 0.002 * (step - turn[i]);
        }
        double loss = base * (1 + 0.05 * rnd.nextGaussian());
        double u = rnd.nextDouble();
        if (u < 0.01) {
          loss = 0.0;
        } else if (u < 0.012) {
          loss = scale[i] * 1e6;
        }
        losses.put(tasks.get(i), Math.max(0, loss));
      }
      reports.add(Report.of(step, losses));
      step += gaps ? 1 + rnd.nextInt(7) : 1;
    }
    return new RandomHistory(List.copyOf(tasks), initial, reports);
  }
}
