package dev.coba.core.run;

import dev.coba.core.Report;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Combines the ranks' reports of one step: per task, the mean over the ranks that reported
 * the task, weighted by each rank's {@code counts} for it (1 when not given). Ranks are summed
 * in rank order, so the result does not depend on the order in which they arrived.
 */
final class RankCombiner {
  private RankCombiner() {}

  static Report combine(long step, Collection<RankReport> ranks) {
    if (ranks.size() == 1) {
      RankReport only = ranks.iterator().next();
      return new Report(step, only.valLosses(), only.trainLosses(), only.gradNorms());
    }
    TreeMap<Integer, RankReport> byRank = new TreeMap<>();
    for (RankReport r : ranks) {
      byRank.put(r.rank(), r);
    }
    return new Report(step,
        mean(byRank.values(), RankReport::valLosses),
        mean(byRank.values(), RankReport::trainLosses),
        mean(byRank.values(), RankReport::gradNorms));
  }

  private static Map<String, Double> mean(Collection<RankReport> ranks, Function<RankReport, Map<String, Double>> field) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (RankReport r : ranks) {
      for (Map.Entry<String, Double> e : field.apply(r).entrySet()) {
        double weight = r.counts().getOrDefault(e.getKey(), 1.0);
        double[] acc = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
        acc[0] += weight * e.getValue();
        acc[1] += weight;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((task, acc) -> out.put(task, acc[0] / acc[1]));
    return out;
  }
}
