package dev.coba.core.run;

import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Objective;
import dev.coba.core.Params;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One run: gathers the ranks' reports of each step, combines them, feeds the method, and
 * keeps what retries, long-polls, history, checkpoints and rewinds need. Every front end
 * (the sidecar, {@code replay}, the in-process client) goes through this class. Not
 * thread-safe: the owner serialises calls (one lock per run).
 *
 * <p>Two-phase submission lets the owner make a report durable between deciding and
 * applying: {@link #answerIfRepeat} refuses a bad report or answers a retry without any
 * change; only when it returns {@code null} is the report new, and {@link #accept} applies it.
 */
public final class Run {
  /** Steps that may wait for ranks at once: bounds what one client can make the run hold. */
  public static final int MAX_PENDING_STEPS = 1024;

  private final RunSpec spec;
  private final int maxHistory;
  private Balancer balancer;

  /** The method's state before the oldest retained step; null while nothing was evicted. */
  private @Nullable Balancer base;

  private final ArrayDeque<RankReport> accepted = new ArrayDeque<>();
  private final TreeMap<Long, CompletedStep> completed = new TreeMap<>();
  private final TreeMap<Long, TreeMap<Integer, RankReport>> pending = new TreeMap<>();

  /** A completed step: the combined report, what the method answered, and each rank's report. */
  public record CompletedStep(Report combined, Update update, Map<Integer, RankReport> ranks) {

    /**
     * The weights the trainer really used up to this step, as the lowest rank that gave
     * {@code weightsUsed} reported them; empty when no rank gave them. A rank that fell back
     * to older weights shows here as weights other than the previous step's answer.
     */
    public Map<String, Double> weightsUsed() {
      for (RankReport r : new TreeMap<>(ranks).values()) {
        if (!r.weightsUsed().isEmpty()) {
          return r.weightsUsed();
        }
      }
      return Map.of();
    }

    /** Whether the ranks that gave {@code weightsUsed} gave different maps (ranks that gave none do not count). */
    public boolean weightsUsedDiffer() {
      Map<String, Double> first = null;
      for (RankReport r : ranks.values()) {
        if (r.weightsUsed().isEmpty()) {
          continue;
        }
        if (first == null) {
          first = r.weightsUsed();
        } else if (!first.equals(r.weightsUsed())) {
          return true;
        }
      }
      return false;
    }
  }

  private Run(RunSpec spec, int maxHistory, Balancer balancer, @Nullable Balancer base) {
    this.spec = spec;
    this.maxHistory = maxHistory;
    this.balancer = balancer;
    this.base = base;
  }

  /**
   * Creates a run; validates the whole definition (tasks, method, parameters, losses).
   *
   * @param maxHistory completed steps retained for retries, history and rewinds (at least 1)
   */
  public static Run create(RunSpec spec, int maxHistory) {
    if (maxHistory < 1) {
      throw new IllegalArgumentException("maxHistory must be >= 1");
    }
    return new Run(spec, maxHistory, newBalancer(spec), null);
  }

  /** Rebuilds a run from {@link #exportState()} by replaying its reports; refuses a bad state. */
  public static Run restore(RunState state, int maxHistory) {
    if (state.version() != RunState.CURRENT_VERSION) {
      throw new InvalidInputException(
          "version",
          "run state version "
              + state.version()
              + " is not supported; this build reads version "
              + RunState.CURRENT_VERSION);
    }
    RunSpec spec = state.run();
    Run run = create(spec, maxHistory);
    if (state.base() != null) {
      BalancerState b = state.base();
      if (!b.method().equals(spec.method()) || !b.tasks().equals(spec.tasks())) {
        throw new InvalidInputException(
            "base",
            "base state is of method "
                + b.method()
                + " with tasks "
                + b.tasks()
                + ", the run is "
                + spec.method()
                + " with "
                + spec.tasks());
      }
      run.balancer = Methods.restore(b);
      run.base = Methods.restore(b);
    }
    List<RankReport> reports = state.reports();
    for (int i = 0; i < reports.size(); i++) {
      RankReport r = reports.get(i);
      if (run.isFoldedIntoBase(r.step())) {
        continue;
      }
      try {
        if (run.answerIfRepeat(r) == null) {
          run.accept(r);
        }
      } catch (InvalidInputException e) {
        throw new InvalidInputException("reports[" + i + "]." + e.field(), e.getMessage());
      } catch (RunConflictException e) {
        throw new InvalidInputException("reports[" + i + "]." + e.field(), e.getMessage());
      }
    }
    return run;
  }

  private static Balancer newBalancer(RunSpec spec) {
    return Methods.create(spec.method(), spec.tasks(), spec.params(), spec.initialLosses());
  }

  public RunSpec spec() {
    return spec;
  }

  public String id() {
    return spec.runId();
  }

  public Params params() {
    return balancer.params();
  }

  public Objective objective() {
    return balancer.objective();
  }

  /** The last completed step, or null before the first. */
  public @Nullable Long lastStep() {
    return balancer.lastStep();
  }

  /** The weights for the step after the last completed one (uniform before any). */
  public Weights weights() {
    return balancer.weights();
  }

  /**
   * Decides about a rank report without changing anything.
   *
   * @return the answer to give when the report repeats one already accepted (a retry), or
   *     {@code null} when the report is new and must be {@link #accept accepted}
   * @throws InvalidInputException for a malformed report (unknown task, NaN, bad rank, ...)
   * @throws RunConflictException for a report that contradicts what the run holds
   */
  public @Nullable StepOutcome answerIfRepeat(RankReport r) {
    long step = r.step();
    if (r.rank() < 0 || r.rank() >= spec.worldSize()) {
      throw new InvalidInputException(
          "rank", "rank must be in [0, " + spec.worldSize() + "), got " + r.rank());
    }
    CompletedStep done = completed.get(step);
    if (done != null) {
      RankReport before = done.ranks().get(r.rank());
      if (r.equals(before)) {
        return complete(step, done);
      }
      throw new RunConflictException(
          "step",
          before == null
              ? "step " + step + " is complete without rank " + r.rank()
              : "rank " + r.rank() + " reported step " + step + " already, with another body");
    }
    Long last = lastStep();
    if (last != null && step <= last) {
      throw new RunConflictException(
          "step", "step " + step + " is not after the last completed step " + last);
    }
    TreeMap<Integer, RankReport> waiting = pending.get(step);
    if (waiting != null && waiting.containsKey(r.rank())) {
      if (r.equals(waiting.get(r.rank()))) {
        return new StepOutcome.Pending(step, waiting.size(), spec.worldSize());
      }
      throw new RunConflictException(
          "step", "rank " + r.rank() + " reported step " + step + " already, with another body");
    }
    if (waiting == null && pending.size() >= MAX_PENDING_STEPS) {
      throw new RunConflictException(
          "step",
          pending.size()
              + " steps are waiting for ranks already (at most "
              + MAX_PENDING_STEPS
              + "); the first is "
              + pending.firstKey());
    }
    checkCounts(r);
    checkWeightsUsed(r);
    balancer.verify(r.asReport());
    if (waiting != null && waiting.size() + 1 == spec.worldSize()) {
      checkCombination(r, waiting);
    }
    return null;
  }

  /**
   * The report completes its step: refuses it when the ranks' reports, each valid, would
   * combine into something the method refuses (a mean that overflows). Deciding here, before
   * the owner stores the report, keeps {@link #accept} from failing on a stored report.
   */
  private void checkCombination(RankReport r, TreeMap<Integer, RankReport> waiting) {
    TreeMap<Integer, RankReport> ranks = new TreeMap<>(waiting);
    ranks.put(r.rank(), r);
    RankCombiner.check(r.step(), ranks.values());
  }

  /** Applies a report that {@link #answerIfRepeat} found new; completes its step when every rank is in. */
  public StepOutcome accept(RankReport r) {
    accepted.addLast(r);
    TreeMap<Integer, RankReport> ranks = pending.computeIfAbsent(r.step(), s -> new TreeMap<>());
    ranks.put(r.rank(), r);
    if (ranks.size() < spec.worldSize()) {
      return new StepOutcome.Pending(r.step(), ranks.size(), spec.worldSize());
    }
    pending.remove(r.step());
    pending.headMap(r.step()).clear(); // lower steps can no longer complete
    Report combined = RankCombiner.combine(r.step(), ranks.values());
    CompletedStep done = new CompletedStep(combined, balancer.update(combined), Map.copyOf(ranks));
    completed.put(r.step(), done);
    while (completed.size() > maxHistory) {
      evictOldest();
    }
    return complete(r.step(), done);
  }

  /** Both phases at once, for callers without a store. */
  public StepOutcome submit(RankReport r) {
    StepOutcome repeat = answerIfRepeat(r);
    return repeat != null ? repeat : accept(r);
  }

  /** The outcome of {@code step}: complete, pending, or null when nobody reported it (or it left the history). */
  public @Nullable StepOutcome outcome(long step) {
    CompletedStep done = completed.get(step);
    if (done != null) {
      return complete(step, done);
    }
    TreeMap<Integer, RankReport> waiting = pending.get(step);
    return waiting == null ? null : new StepOutcome.Pending(step, waiting.size(), spec.worldSize());
  }

  /** The retained completed steps in [from, to], oldest first. */
  public NavigableMap<Long, CompletedStep> history(long from, long to) {
    if (from > to) {
      return new TreeMap<>();
    }
    return java.util.Collections.unmodifiableNavigableMap(completed.subMap(from, true, to, true));
  }

  /**
   * Drops every report of a step after {@code step}: the run then answers exactly as one that
   * never saw them.
   *
   * @throws RunConflictException when {@code step} is older than the retained history
   */
  public void rewind(long step) {
    checkRewind(step);
    List<RankReport> keep = new ArrayList<>();
    for (RankReport r : accepted) {
      if (r.step() <= step) {
        keep.add(r);
      }
    }
    Run rebuilt =
        restore(
            new RunState(
                RunState.CURRENT_VERSION, spec, base == null ? null : base.exportState(), keep),
            maxHistory);
    balancer = rebuilt.balancer;
    base = rebuilt.base;
    accepted.clear();
    accepted.addAll(rebuilt.accepted);
    completed.clear();
    completed.putAll(rebuilt.completed);
    pending.clear();
    pending.putAll(rebuilt.pending);
  }

  /** Refuses what {@link #rewind} would refuse, changing nothing. */
  public void checkRewind(long step) {
    if (step < 0) {
      throw new InvalidInputException("step", "step must be >= 0, got " + step);
    }
    if (base != null && base.lastStep() != null && step < base.lastStep()) {
      throw new RunConflictException(
          "step",
          "cannot rewind to step "
              + step
              + ": history is retained from step "
              + base.lastStep()
              + " on (raise the retained history to rewind further)");
    }
  }

  /** The run as one plain value; {@link #restore} continues from it bit-identically. */
  public RunState exportState() {
    List<RankReport> reports = new ArrayList<>();
    for (RankReport r : accepted) {
      if (!isFoldedIntoBase(r.step())) {
        reports.add(r);
      }
    }
    return new RunState(
        RunState.CURRENT_VERSION, spec, base == null ? null : base.exportState(), reports);
  }

  /** Whether two runs would answer identically from now on (same definition, same reports). */
  public boolean sameDefinition(RunSpec other) {
    if (!other.runId().equals(spec.runId())
        || other.worldSize() != spec.worldSize()
        || !other.tasks().equals(spec.tasks())
        || !other.method().equals(spec.method())) {
      return false;
    }
    return other.initialLosses().equals(spec.initialLosses())
        && newBalancer(other).params().equals(balancer.params());
  }

  private boolean isFoldedIntoBase(long step) {
    Long baseStep = base == null ? null : base.lastStep();
    return baseStep != null && step <= baseStep;
  }

  private void evictOldest() {
    Map.Entry<Long, CompletedStep> oldest = completed.pollFirstEntry();
    if (base == null) {
      base = newBalancer(spec);
    }
    base.update(oldest.getValue().combined());
    long step = oldest.getKey();
    while (!accepted.isEmpty() && accepted.peekFirst().step() <= step) {
      accepted.pollFirst();
    }
  }

  private StepOutcome.Complete complete(long step, CompletedStep done) {
    return new StepOutcome.Complete(step, done.update().weights(), done.update().objective());
  }

  private void checkCounts(RankReport r) {
    for (Map.Entry<String, Double> e : r.counts().entrySet()) {
      String field = "counts." + e.getKey();
      if (!spec.tasks().contains(e.getKey())) {
        throw new InvalidInputException(
            field, "step " + r.step() + ": unknown task '" + e.getKey() + "' in counts");
      }
      Double c = e.getValue();
      if (c == null || !Double.isFinite(c) || c <= 0) {
        throw new InvalidInputException(
            field,
            "step "
                + r.step()
                + ": count of task '"
                + e.getKey()
                + "' must be a finite number > 0, got "
                + c);
      }
    }
  }

  /** {@code weightsUsed}: tasks of the run, finite and >= 0; it never reaches the method. */
  private void checkWeightsUsed(RankReport r) {
    for (Map.Entry<String, Double> e : r.weightsUsed().entrySet()) {
      String field = "weightsUsed." + e.getKey();
      if (!spec.tasks().contains(e.getKey())) {
        throw new InvalidInputException(
            field, "step " + r.step() + ": unknown task '" + e.getKey() + "' in weightsUsed");
      }
      Double w = e.getValue();
      if (w == null || !Double.isFinite(w) || w < 0) {
        throw new InvalidInputException(
            field,
            "step "
                + r.step()
                + ": weightsUsed of task '"
                + e.getKey()
                + "' must be a finite number >= 0, got "
                + w);
      }
    }
  }

  /** For diagnostics and tests: the steps waiting for ranks and how many ranks each has. */
  public Map<Long, Integer> pendingSteps() {
    Map<Long, Integer> out = new LinkedHashMap<>();
    pending.forEach((s, r) -> out.put(s, r.size()));
    return out;
  }
}
