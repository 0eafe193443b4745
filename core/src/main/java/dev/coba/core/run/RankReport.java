package dev.coba.core.run;

import dev.coba.core.Report;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One rank's report of one step. {@code counts} optionally weights this rank's losses of a
 * task when the ranks are combined (how many examples they average). {@code weightsUsed}
 * optionally tells the weights this rank really trained with over the steps since its previous
 * report, up to and including this step (a client that fell back to older weights says so);
 * the run records it in its history and never feeds it to the method. Immutable; two reports
 * are equal when every field is, which is what makes retries idempotent. A map not given is
 * empty, so an empty map and no map are the same report.
 */
public record RankReport(
    long step,
    int rank,
    Map<String, Double> valLosses,
    Map<String, Double> trainLosses,
    Map<String, Double> gradNorms,
    Map<String, Double> counts,
    Map<String, Double> weightsUsed) {

  /** The canonical constructor: the optional maps may be null, the accessors never answer null. */
  public RankReport(
      long step,
      int rank,
      Map<String, Double> valLosses,
      @Nullable Map<String, Double> trainLosses,
      @Nullable Map<String, Double> gradNorms,
      @Nullable Map<String, Double> counts,
      @Nullable Map<String, Double> weightsUsed) {
    this.step = step;
    this.rank = rank;
    this.valLosses = copy(valLosses);
    this.trainLosses = copy(trainLosses);
    this.gradNorms = copy(gradNorms);
    this.counts = copy(counts);
    this.weightsUsed = copy(weightsUsed);
  }

  /** A report without {@code weightsUsed}. */
  public RankReport(
      long step,
      int rank,
      Map<String, Double> valLosses,
      @Nullable Map<String, Double> trainLosses,
      @Nullable Map<String, Double> gradNorms,
      @Nullable Map<String, Double> counts) {
    this(step, rank, valLosses, trainLosses, gradNorms, counts, null);
  }

  /** A single-rank report: rank 0, no counts, no weightsUsed. */
  public static RankReport of(Report r) {
    return new RankReport(
        r.step(), 0, r.valLosses(), r.trainLosses(), r.gradNorms(), Map.of(), Map.of());
  }

  Report asReport() {
    return new Report(step, valLosses, trainLosses, gradNorms);
  }

  private static Map<String, Double> copy(@Nullable Map<String, Double> m) {
    return m == null || m.isEmpty()
        ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }
}
