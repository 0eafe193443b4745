package dev.coba.sidecar.runs;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.coba.core.BalancerState;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import java.util.List;
import java.util.Map;

/**
 * The values inside the journal's {@link Event}s, as the journal spells them, and the one place
 * where they meet core's records: each has {@code of} (from core, when an event is written) and
 * {@code toCore} (when it is replayed). The names in {@link JsonProperty} are the file format:
 * they are the names core's records had when the format was made, and they stay when core's
 * change (a rename in core fails to compile here, where the mapping is updated and the journal's
 * name kept). A new field is a component here, with its line in {@code of} and {@code toCore},
 * and a line in {@code JournalFormatTest}; a journal without it (an older build's) reads it as
 * null, so {@code toCore} says what that means.
 *
 * <p>The free-form values (a method's parameters, a balancer's state data) are written as they
 * are: numbers, strings, booleans, lists and maps, which core already keeps JSON-friendly.
 */
public final class JournalValues {
  private JournalValues() {}

  /** A run's definition ({@link RunSpec}). */
  public record JournalRunSpec(
      @JsonProperty("runId") String runId,
      @JsonProperty("tasks") List<String> tasks,
      @JsonProperty("method") String method,
      @JsonProperty("params") Map<String, Object> params,
      @JsonProperty("worldSize") int worldSize,
      @JsonProperty("initialLosses") Map<String, Double> initialLosses) {

    static JournalRunSpec of(RunSpec s) {
      return new JournalRunSpec(
          s.runId(), s.tasks(), s.method(), s.params(), s.worldSize(), s.initialLosses());
    }

    /** The run's definition; refuses one core does not accept, as a request would be. */
    RunSpec toCore() {
      return new RunSpec(runId, tasks, method, params, worldSize, initialLosses);
    }
  }

  /**
   * One rank's report of one step ({@link RankReport}). A map the line does not hold (lines of
   * older builds have no {@code weightsUsed}) is empty, as in core.
   */
  public record JournalRankReport(
      @JsonProperty("step") long step,
      @JsonProperty("rank") int rank,
      @JsonProperty("valLosses") Map<String, Double> valLosses,
      @JsonProperty("trainLosses") Map<String, Double> trainLosses,
      @JsonProperty("gradNorms") Map<String, Double> gradNorms,
      @JsonProperty("counts") Map<String, Double> counts,
      @JsonProperty("weightsUsed") Map<String, Double> weightsUsed) {

    public JournalRankReport {
      valLosses = orEmpty(valLosses);
      trainLosses = orEmpty(trainLosses);
      gradNorms = orEmpty(gradNorms);
      counts = orEmpty(counts);
      weightsUsed = orEmpty(weightsUsed);
    }

    static JournalRankReport of(RankReport r) {
      return new JournalRankReport(
          r.step(),
          r.rank(),
          r.valLosses(),
          r.trainLosses(),
          r.gradNorms(),
          r.counts(),
          r.weightsUsed());
    }

    RankReport toCore() {
      return new RankReport(step, rank, valLosses, trainLosses, gradNorms, counts, weightsUsed);
    }

    private static Map<String, Double> orEmpty(Map<String, Double> m) {
      return m == null ? Map.of() : m;
    }
  }

  /** A run as one value ({@link RunState}): its definition, the method's state before its first report, its reports. */
  public record JournalRunState(
      @JsonProperty("version") int version,
      @JsonProperty("run") JournalRunSpec run,
      @JsonProperty("base") JournalBalancerState base,
      @JsonProperty("reports") List<JournalRankReport> reports) {

    static JournalRunState of(RunState s) {
      return new JournalRunState(
          s.version(),
          JournalRunSpec.of(s.run()),
          s.base() == null ? null : JournalBalancerState.of(s.base()),
          s.reports().stream().map(JournalRankReport::of).toList());
    }

    RunState toCore() {
      return new RunState(
          version,
          run == null ? null : run.toCore(),
          base == null ? null : base.toCore(),
          reports == null ? null : reports.stream().map(JournalRankReport::toCore).toList());
    }
  }

  /** A method's whole state ({@link BalancerState}). */
  public record JournalBalancerState(
      @JsonProperty("version") int version,
      @JsonProperty("method") String method,
      @JsonProperty("tasks") List<String> tasks,
      @JsonProperty("params") Map<String, Object> params,
      @JsonProperty("initialLosses") Map<String, Double> initialLosses,
      @JsonProperty("data") Map<String, Object> data) {

    static JournalBalancerState of(BalancerState b) {
      return new JournalBalancerState(
          b.version(), b.method(), b.tasks(), b.params(), b.initialLosses(), b.data());
    }

    BalancerState toCore() {
      return new BalancerState(version, method, tasks, params, initialLosses, data);
    }
  }
}
