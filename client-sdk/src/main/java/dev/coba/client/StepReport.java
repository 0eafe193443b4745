package dev.coba.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One rank's per-task losses after one step. Immutable; build with {@link #builder(long)}.
 * Reports are equal when every field is, which is what makes a replay idempotent.
 */
public final class StepReport {
  private final long step;
  private final int rank;
  private final Map<String, Double> valLosses;
  private final Map<String, Double> trainLosses;
  private final Map<String, Double> gradNorms;
  private final Map<String, Double> counts;
  private final Map<String, Double> weightsUsed;

  private StepReport(Builder b) {
    if (b.step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + b.step);
    }
    if (b.rank < 0) {
      throw new IllegalArgumentException("rank must be >= 0, got " + b.rank);
    }
    this.step = b.step;
    this.rank = b.rank;
    this.valLosses = copy(b.valLosses);
    this.trainLosses = copy(b.trainLosses);
    this.gradNorms = copy(b.gradNorms);
    this.counts = copy(b.counts);
    this.weightsUsed = copy(b.weightsUsed);
  }

  public static Builder builder(long step) {
    return new Builder(step);
  }

  /** A single-rank report of validation losses only. */
  public static StepReport of(long step, Map<String, Double> valLosses) {
    return builder(step).valLosses(valLosses).build();
  }

  public long step() {
    return step;
  }

  public int rank() {
    return rank;
  }

  public Map<String, Double> valLosses() {
    return valLosses;
  }

  public Map<String, Double> trainLosses() {
    return trainLosses;
  }

  public Map<String, Double> gradNorms() {
    return gradNorms;
  }

  public Map<String, Double> counts() {
    return counts;
  }

  /** The weights this rank trained with since its previous report; empty when not given. */
  public Map<String, Double> weightsUsed() {
    return weightsUsed;
  }

  /** A builder holding this report's values. */
  public Builder toBuilder() {
    return new Builder(step)
        .rank(rank)
        .valLosses(valLosses)
        .trainLosses(trainLosses)
        .gradNorms(gradNorms)
        .counts(counts)
        .weightsUsed(weightsUsed);
  }

  private static Map<String, Double> copy(Map<String, Double> m) {
    return m.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof StepReport r
        && step == r.step
        && rank == r.rank
        && valLosses.equals(r.valLosses)
        && trainLosses.equals(r.trainLosses)
        && gradNorms.equals(r.gradNorms)
        && counts.equals(r.counts)
        && weightsUsed.equals(r.weightsUsed);
  }

  @Override
  public int hashCode() {
    return Objects.hash(step, rank, valLosses, trainLosses, gradNorms, counts, weightsUsed);
  }

  @Override
  public String toString() {
    return "StepReport[step=" + step + ", rank=" + rank + ", valLosses=" + valLosses + "]";
  }

  /** Mutable builder; {@link #build()} validates and copies. */
  public static final class Builder {
    private long step;
    private int rank;
    private Map<String, Double> valLosses = new LinkedHashMap<>();
    private Map<String, Double> trainLosses = new LinkedHashMap<>();
    private Map<String, Double> gradNorms = new LinkedHashMap<>();
    private Map<String, Double> counts = new LinkedHashMap<>();
    private Map<String, Double> weightsUsed = new LinkedHashMap<>();

    private Builder(long step) {
      this.step = step;
    }

    public Builder step(long step) {
      this.step = step;
      return this;
    }

    /** The reporting rank, 0 by default. */
    public Builder rank(int rank) {
      this.rank = rank;
      return this;
    }

    public Builder valLosses(Map<String, Double> losses) {
      this.valLosses = new LinkedHashMap<>(losses);
      return this;
    }

    public Builder valLoss(String task, double loss) {
      valLosses.put(task, loss);
      return this;
    }

    public Builder trainLosses(Map<String, Double> losses) {
      this.trainLosses = new LinkedHashMap<>(losses);
      return this;
    }

    public Builder trainLoss(String task, double loss) {
      trainLosses.put(task, loss);
      return this;
    }

    public Builder gradNorms(Map<String, Double> norms) {
      this.gradNorms = new LinkedHashMap<>(norms);
      return this;
    }

    /** Per task, how many examples this rank's losses average (ranks are combined by a count-weighted mean). */
    public Builder counts(Map<String, Double> counts) {
      this.counts = new LinkedHashMap<>(counts);
      return this;
    }

    /**
     * The weights this rank trained with over the steps since its previous report, up to and
     * including this one (e.g. older weights it fell back to); the sidecar records them in its
     * history and never balances with them.
     */
    public Builder weightsUsed(Map<String, Double> weights) {
      this.weightsUsed = new LinkedHashMap<>(weights);
      return this;
    }

    public StepReport build() {
      return new StepReport(this);
    }
  }
}
