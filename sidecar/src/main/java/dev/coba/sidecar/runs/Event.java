package dev.coba.sidecar.runs;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import dev.coba.sidecar.runs.JournalValues.JournalRankReport;
import dev.coba.sidecar.runs.JournalValues.JournalRunSpec;
import dev.coba.sidecar.runs.JournalValues.JournalRunState;

/**
 * One change to the runs, as the store keeps it: one kind a record, each written as one
 * journal line, {@code {"type":"<kind>","runId":...}} and the kind's fields. Replaying the
 * events in order through the registry rebuilds every run exactly: the methods are
 * deterministic.
 *
 * <p>These records and the values they hold ({@link JournalValues}) are the journal's format:
 * they spell every name written to the file, and nothing of core's records is serialised
 * directly, so that renaming a field in core does not change the journal. {@code
 * JournalFormatTest} pins the JSON of every kind. A new kind is a new record here, in {@link
 * JsonSubTypes} and in {@link Visitor} (the compiler then names every place that must handle
 * it), and a new format version ({@link JournalHeader#VERSION}): older builds cannot apply it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Event.Create.class, name = Event.Create.KIND),
  @JsonSubTypes.Type(value = Event.Report.class, name = Event.Report.KIND),
  @JsonSubTypes.Type(value = Event.Rewind.class, name = Event.Rewind.KIND),
  @JsonSubTypes.Type(value = Event.Restore.class, name = Event.Restore.KIND),
  @JsonSubTypes.Type(value = Event.Delete.class, name = Event.Delete.KIND)
})
public sealed interface Event
    permits Event.Create, Event.Report, Event.Rewind, Event.Restore, Event.Delete {

  /** The run the event changes. */
  String runId();

  /** The kind, as written in the {@code type} field of its line. */
  String kind();

  /** Calls the method of {@code visitor} for this kind. */
  void accept(Visitor visitor);

  /** One method a kind: what handles every event handles each (the compiler checks it). */
  interface Visitor {
    void create(Create e);

    void report(Report e);

    void rewind(Rewind e);

    void restore(Restore e);

    void delete(Delete e);
  }

  /** A run is created. */
  record Create(@JsonProperty("runId") String runId, @JsonProperty("spec") JournalRunSpec spec)
      implements Event {
    static final String KIND = "create";

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public void accept(Visitor visitor) {
      visitor.create(this);
    }
  }

  /** A rank's report of a step is accepted (or a retry of one answered). */
  record Report(
      @JsonProperty("runId") String runId, @JsonProperty("report") JournalRankReport report)
      implements Event {
    static final String KIND = "report";

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public void accept(Visitor visitor) {
      visitor.report(this);
    }
  }

  /** A run is rewound to {@code step}. */
  record Rewind(@JsonProperty("runId") String runId, @JsonProperty("step") long step)
      implements Event {
    static final String KIND = "rewind";

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public void accept(Visitor visitor) {
      visitor.rewind(this);
    }
  }

  /** A run takes {@code state}: a checkpoint put back, or the run itself in a compaction's snapshot. */
  record Restore(@JsonProperty("runId") String runId, @JsonProperty("state") JournalRunState state)
      implements Event {
    static final String KIND = "restore";

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public void accept(Visitor visitor) {
      visitor.restore(this);
    }
  }

  /** A run is deleted. */
  record Delete(@JsonProperty("runId") String runId) implements Event {
    static final String KIND = "delete";

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public void accept(Visitor visitor) {
      visitor.delete(this);
    }
  }

  static Event create(RunSpec spec) {
    return new Create(spec.runId(), JournalRunSpec.of(spec));
  }

  static Event report(String runId, RankReport report) {
    return new Report(runId, JournalRankReport.of(report));
  }

  static Event rewind(String runId, long step) {
    return new Rewind(runId, step);
  }

  static Event restore(String runId, RunState state) {
    return new Restore(runId, JournalRunState.of(state));
  }

  static Event delete(String runId) {
    return new Delete(runId);
  }
}
