package dev.coba.core.run;

import dev.coba.core.InvalidInputException;
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
 *
 * <p>Values finite on every rank can still combine to something that is not: the weighted
 * sum overflows (two ranks at 1e308), or the sum of the counts does (the mean then silently
 * becomes 0). {@link #check} finds that with the same arithmetic as {@link #combine}, so that
 * a run refuses the report before it is stored rather than failing after.
 */
final class RankCombiner {
  private static final String[] FIELDS = {"valLosses", "trainLosses", "gradNorms"};
  private static final Map<String, Function<RankReport, Map<String, Double>>> GETTERS =
      Map.of(
          "valLosses", RankReport::valLosses,
          "trainLosses", RankReport::trainLosses,
          "gradNorms", RankReport::gradNorms);

  private RankCombiner() {}

  static Report combine(long step, Collection<RankReport> ranks) {
    if (ranks.size() == 1) {
      RankReport only = ranks.iterator().next();
      return new Report(step, only.valLosses(), only.trainLosses(), only.gradNorms());
    }
    Collection<RankReport> ordered = byRank(ranks);
    return new Report(
        step,
        mean(sums(ordered, RankReport::valLosses)),
        mean(sums(ordered, RankReport::trainLosses)),
        mean(sums(ordered, RankReport::gradNorms)));
  }

  /**
   * Refuses ranks whose combination would not be finite, naming the field of the task
   * ({@code valLosses.python}, or {@code counts.python} when the counts' sum overflows).
   */
  static void check(long step, Collection<RankReport> ranks) {
    if (ranks.size() == 1) {
      return; // the report itself, validated on its own
    }
    Collection<RankReport> ordered = byRank(ranks);
    for (String field : FIELDS) {
      for (Map.Entry<String, double[]> e : sums(ordered, GETTERS.get(field)).entrySet()) {
        double[] acc = e.getValue();
        if (!Double.isFinite(acc[1])) {
          throw new InvalidInputException(
              "counts." + e.getKey(),
              "step "
                  + step
                  + ": the ranks' counts of task '"
                  + e.getKey()
                  + "' add up beyond the largest number; their weighted mean has no value");
        }
        if (!Double.isFinite(acc[0] / acc[1])) {
          throw new InvalidInputException(
              field + "." + e.getKey(),
              "step "
                  + step
                  + ": the ranks' "
                  + field
                  + " of task '"
                  + e.getKey()
                  + "' are finite one by one but their weighted mean overflows;"
                  + " report smaller values");
        }
      }
    }
  }

  private static Collection<RankReport> byRank(Collection<RankReport> ranks) {
    TreeMap<Integer, RankReport> byRank = new TreeMap<>();
    for (RankReport r : ranks) {
      byRank.put(r.rank(), r);
    }
    return byRank.values();
  }

  /** Per task: the weighted sum and the sum of the weights, in rank order. */
  private static Map<String, double[]> sums(
      Collection<RankReport> ranks, Function<RankReport, Map<String, Double>> field) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (RankReport r : ranks) {
      for (Map.Entry<String, Double> e : field.apply(r).entrySet()) {
        double weight = r.counts().getOrDefault(e.getKey(), 1.0);
        double[] acc = sums.computeIfAbsent(e.getKey(), k -> new double[2]);
        acc[0] += weight * e.getValue();
        acc[1] += weight;
      }
    }
    return sums;
  }

  private static Map<String, Double> mean(Map<String, double[]> sums) {
    Map<String, Double> out = new LinkedHashMap<>();
    sums.forEach((task, acc) -> out.put(task, acc[0] / acc[1]));
    return out;
  }
}
