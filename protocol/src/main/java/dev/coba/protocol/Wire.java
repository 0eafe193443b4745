package dev.coba.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import dev.coba.core.run.StepOutcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Every JSON body of protocol v1, one record per schema of {@code openapi.yaml} (same names
 * with the suffix {@code Body}; {@link #SCHEMAS} is the table), with the conversions to and from
 * the core's types. Request records use boxed types so that a missing field is told from a zero
 * (a field given as null counts as missing); {@link WireJson} refuses a null inside a map or
 * list unless a component says otherwise. The sidecar, the Java client and the contract tests
 * read and write these and nothing else.
 */
public final class Wire {
  private Wire() {}

  /**
   * Every schema of {@code openapi.yaml}'s {@code components/schemas} and the type that reads and
   * writes it, in the yaml's order. A schema missing here fails the protocol's round-trip test;
   * the contract tests read every answer of the sidecar through the type of its schema.
   */
  public static final Map<String, JavaType> SCHEMAS =
      table(
          "Error", ErrorBody.class,
          "Health", HealthBody.class,
          "RunId", String.class,
          "TaskName", String.class,
          "TaskValues", new TypeReference<Map<String, Double>>() {},
          "TaskWeights", new TypeReference<Map<String, Double>>() {},
          "RunCreate", RunCreateBody.class,
          "Run", RunBody.class,
          "RunSummary", RunSummaryBody.class,
          "RunPage", RunPageBody.class,
          "StepReport", StepReportBody.class,
          "StepWeights", StepWeightsBody.class,
          "StepPending", StepPendingBody.class,
          "HistoryEntry", HistoryEntryBody.class,
          "History", HistoryBody.class,
          "Series", SeriesBody.class,
          "SeriesChart", SeriesChartBody.class,
          "SeriesLine", SeriesLineBody.class,
          "RunState", RunStateBody.class,
          "Rewind", RewindBody.class,
          "MethodList", MethodListBody.class,
          "MethodInfo", MethodInfoBody.class,
          "ParamInfo", ParamInfoBody.class);

  // ---------------------------------------------------------------- requests

  /** {@code RunCreate}; also the {@code run} of a {@code RunState}. */
  public record RunCreateBody(
      @JsonInclude(JsonInclude.Include.NON_NULL) String runId,
      List<String> tasks,
      String method,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> params,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer worldSize,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> initialLosses) {

    /** The spec; {@code defaultRunId} when the body names none, fields named under {@code prefix}. */
    public RunSpec toSpec(String prefix, String defaultRunId) {
      require(tasks, prefix + "tasks", "tasks is required: the task names, in order");
      require(method, prefix + "method", "method is required: a name from GET /v1/methods");
      if (runId != null) {
        try {
          RunIds.check(runId);
        } catch (InvalidInputException e) {
          throw prefixed(prefix, e);
        }
      }
      try {
        return new RunSpec(
            runId == null ? defaultRunId : runId,
            tasks,
            method,
            params,
            worldSize == null ? 1 : worldSize,
            initialLosses);
      } catch (InvalidInputException e) {
        throw prefixed(prefix, e);
      }
    }

    public static RunCreateBody of(RunSpec s) {
      return new RunCreateBody(
          s.runId(), s.tasks(), s.method(), s.params(), s.worldSize(), s.initialLosses());
    }
  }

  /** {@code StepReport}: one rank's report of one step; also the entries of a {@code RunState}. */
  public record StepReportBody(
      Long step,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer rank,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> valLosses,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> trainLosses,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> gradNorms,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> counts,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> weightsUsed) {

    public RankReport toRankReport(String prefix) {
      require(step, prefix + "step", "step is required: the step the losses were measured after");
      if (step < 0) {
        throw new InvalidInputException(prefix + "step", "step must be >= 0, got " + step);
      }
      if (rank != null && rank < 0) {
        throw new InvalidInputException(prefix + "rank", "rank must be >= 0, got " + rank);
      }
      return new RankReport(
          step, rank == null ? 0 : rank, valLosses, trainLosses, gradNorms, counts, weightsUsed);
    }

    public static StepReportBody of(RankReport r) {
      return new StepReportBody(
          r.step(),
          r.rank(),
          r.valLosses(),
          r.trainLosses(),
          r.gradNorms(),
          r.counts(),
          r.weightsUsed());
    }
  }

  /** {@code Rewind}. */
  public record RewindBody(Long step) {
    public long step(String field) {
      require(step, field, "step is required: the last step to keep");
      if (step < 0) {
        throw new InvalidInputException(field, "step must be >= 0, got " + step);
      }
      return step;
    }
  }

  /** {@code RunState}: a checkpoint, written by GET and read by PUT .../state. */
  public record RunStateBody(
      Integer version, RunCreateBody run, BaseStateBody base, List<StepReportBody> reports) {

    public RunState toState(String pathRunId) {
      require(version, "version", "version is required");
      require(run, "run", "run is required: the run's definition");
      require(reports, "reports", "reports is required (it may be empty)");
      RunSpec spec = run.toSpec("run.", pathRunId);
      List<RankReport> ranks = new ArrayList<>(reports.size());
      for (int i = 0; i < reports.size(); i++) {
        ranks.add(reports.get(i).toRankReport("reports[" + i + "]."));
      }
      return new RunState(version, spec, base == null ? null : base.toState(), ranks);
    }

    public static RunStateBody of(RunState s) {
      return new RunStateBody(
          s.version(),
          RunCreateBody.of(s.run()),
          s.base() == null ? null : BaseStateBody.of(s.base()),
          s.reports().stream().map(StepReportBody::of).toList());
    }
  }

  /** The method's exported state inside a {@code RunState} ({@code base}). */
  public record BaseStateBody(
      Integer version,
      String method,
      List<String> tasks,
      Map<String, Object> params,
      Map<String, Double> initialLosses,
      @JsonSetter(contentNulls = Nulls.SET) Map<String, Object> data) {

    public BalancerState toState() {
      require(version, "base.version", "base.version is required");
      require(method, "base.method", "base.method is required");
      require(tasks, "base.tasks", "base.tasks is required");
      require(params, "base.params", "base.params is required");
      require(data, "base.data", "base.data is required");
      return new BalancerState(
          version, method, tasks, params, initialLosses == null ? Map.of() : initialLosses, data);
    }

    public static BaseStateBody of(BalancerState b) {
      return new BaseStateBody(
          b.version(), b.method(), b.tasks(), b.params(), b.initialLosses(), b.data());
    }
  }

  // ---------------------------------------------------------------- responses

  /** {@code Run}: a run as stored, every parameter resolved. */
  public record RunBody(
      String runId,
      List<String> tasks,
      String method,
      Map<String, Object> params,
      int worldSize,
      Map<String, Double> initialLosses,
      Long step,
      Map<String, Double> weights,
      String objective) {

    /** A run with its resolved {@code params}, its last completed step (null: none) and the weights after it. */
    public static RunBody of(
        RunSpec s, Map<String, Object> params, Long step, Weights weights, Objective objective) {
      return new RunBody(
          s.runId(),
          s.tasks(),
          s.method(),
          params,
          s.worldSize(),
          s.initialLosses(),
          step,
          weights.asMap(),
          objective.wireName());
    }

    /** The run as it is now. */
    public static RunBody of(Run run) {
      return of(run.spec(), run.params().asMap(), run.lastStep(), run.weights(), run.objective());
    }
  }

  /** {@code RunSummary}. */
  public record RunSummaryBody(
      String runId, String method, List<String> tasks, int worldSize, Long step) {
    public static RunSummaryBody of(RunSpec s, Long step) {
      return new RunSummaryBody(s.runId(), s.method(), s.tasks(), s.worldSize(), step);
    }
  }

  /** {@code RunPage}. */
  public record RunPageBody(List<RunSummaryBody> runs, String next) {}

  /** {@code StepWeights}: the weights after {@code step} (null: before any step). */
  public record StepWeightsBody(
      String runId, Long step, boolean complete, Map<String, Double> weights, String objective) {
    public static StepWeightsBody of(String runId, StepOutcome.Complete c) {
      return new StepWeightsBody(
          runId, c.step(), true, c.weights().asMap(), c.objective().wireName());
    }

    /** The weights after {@code step} (null: before any step). */
    public static StepWeightsBody current(
        String runId, Long step, Weights weights, Objective objective) {
      return new StepWeightsBody(runId, step, true, weights.asMap(), objective.wireName());
    }
  }

  /** {@code StepPending}. */
  public record StepPendingBody(
      String runId, long step, boolean complete, int received, int worldSize) {
    public static StepPendingBody of(String runId, StepOutcome.Pending p) {
      return new StepPendingBody(runId, p.step(), false, p.received(), p.worldSize());
    }
  }

  /** {@code History}. */
  public record HistoryBody(String runId, List<HistoryEntryBody> steps) {
    public static HistoryBody of(String runId, NavigableMap<Long, Run.CompletedStep> steps) {
      List<HistoryEntryBody> out = new ArrayList<>(steps.size());
      steps.forEach((step, done) -> out.add(HistoryEntryBody.of(step, done)));
      return new HistoryBody(runId, out);
    }
  }

  /**
   * {@code HistoryEntry}: the combined report of a completed step, the weights after it, the
   * diagnostics; {@code weightsUsed} (the lowest rank's that gave it) and
   * {@code weightsUsedDiffer} (true only) are omitted when no rank gave weightsUsed.
   */
  public record HistoryEntryBody(
      long step,
      Map<String, Double> valLosses,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> trainLosses,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> gradNorms,
      Map<String, Double> weights,
      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonSetter(contentNulls = Nulls.SET)
          Map<String, Object> diagnostics,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Double> weightsUsed,
      @JsonInclude(JsonInclude.Include.NON_NULL) Boolean weightsUsedDiffer) {

    public static HistoryEntryBody of(long step, Run.CompletedStep done) {
      Report r = done.combined();
      Update u = done.update();
      Weights w = u.weights();
      return new HistoryEntryBody(
          step,
          r.valLosses(),
          r.trainLosses(),
          r.gradNorms(),
          w.asMap(),
          u.byName(),
          done.weightsUsed(),
          done.weightsUsedDiffer() ? Boolean.TRUE : null);
    }
  }

  /** {@code Error}: what is wrong, the offending field (null when none), the status. */
  public record ErrorBody(String error, String field, int status) {}

  /** {@code Health}. */
  public record HealthBody(String status) {}

  /** {@code MethodList}. */
  public record MethodListBody(List<MethodInfoBody> methods) {
    public static MethodListBody of(List<MethodDescriptor> methods) {
      return new MethodListBody(methods.stream().map(MethodInfoBody::of).toList());
    }
  }

  /** {@code MethodInfo}. */
  public record MethodInfoBody(
      String name,
      String description,
      List<String> inputs,
      String objective,
      List<ParamInfoBody> params) {
    public static MethodInfoBody of(MethodDescriptor d) {
      return new MethodInfoBody(
          d.name(),
          d.description(),
          d.inputs(),
          d.objective().wireName(),
          d.params().stream().map(ParamInfoBody::of).toList());
    }
  }

  /** {@code ParamInfo}; {@code minimum}, {@code maximum} and {@code enum} only where they apply. */
  public record ParamInfoBody(
      String name,
      String type,
      @JsonProperty("default") Object defaultValue,
      @JsonInclude(JsonInclude.Include.NON_NULL) Number minimum,
      @JsonInclude(JsonInclude.Include.NON_NULL) Number maximum,
      @JsonProperty("enum") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> choices,
      String description) {

    public static ParamInfoBody of(ParamSpec p) {
      String type =
          switch (p.type()) {
            case INT -> "integer";
            case DOUBLE -> "number";
            case BOOL -> "boolean";
            case CHOICE -> "string";
          };
      return new ParamInfoBody(
          p.name(),
          type,
          p.defaultValue(),
          bound(p, p.min()),
          bound(p, p.max()),
          p.choices(),
          p.description());
    }

    private static Number bound(ParamSpec p, Double v) {
      if (v == null || !Double.isFinite(v)) {
        return null;
      }
      return p.type() == ParamSpec.Type.INT ? (Number) v.longValue() : v;
    }
  }

  /**
   * {@code Series}: a run's curves downsampled on the server, what the dashboard polls. Lines
   * are arrays in the run's task order (not objects keyed by task: a browser reorders
   * integer-like keys); a missing value is null.
   */
  public record SeriesBody(
      String runId,
      String method,
      List<String> tasks,
      Long step,
      long stepsPerPoint,
      List<Long> steps,
      List<SeriesChartBody> charts) {}

  /** {@code SeriesChart}. */
  public record SeriesChartBody(String name, boolean perTask, List<SeriesLineBody> lines) {}

  /** {@code SeriesLine}: a value per point, null where the line has none. */
  public record SeriesLineBody(
      String label, @JsonSetter(contentNulls = Nulls.SET) List<Float> values) {}

  // ---------------------------------------------------------------- helpers

  /** Pairs of a schema name and a {@code Class} or a {@code TypeReference}. */
  private static Map<String, JavaType> table(Object... pairs) {
    Map<String, JavaType> table = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      JavaType type =
          pairs[i + 1] instanceof TypeReference<?> t
              ? TypeFactory.defaultInstance().constructType(t)
              : TypeFactory.defaultInstance().constructType((Class<?>) pairs[i + 1]);
      table.put((String) pairs[i], type);
    }
    return Collections.unmodifiableMap(table);
  }

  private static void require(Object value, String field, String message) {
    if (value == null) {
      throw new InvalidInputException(field, message);
    }
  }

  private static InvalidInputException prefixed(String prefix, InvalidInputException e) {
    return prefix.isEmpty() ? e : new InvalidInputException(prefix + e.field(), e.getMessage());
  }
}
