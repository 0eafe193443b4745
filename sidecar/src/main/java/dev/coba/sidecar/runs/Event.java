package dev.coba.sidecar.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;

/**
 * One change to the runs, as the store keeps it. Replaying the events in order through the
 * registry rebuilds every run exactly: the methods are deterministic.
 *
 * @param type create, report, rewind, restore or delete
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(String type, String runId, RunSpec spec, RankReport report, Long step, RunState state) {
  static final String CREATE = "create";
  static final String REPORT = "report";
  static final String REWIND = "rewind";
  static final String RESTORE = "restore";
  static final String DELETE = "delete";

  static Event create(RunSpec spec) {
    return new Event(CREATE, spec.runId(), spec, null, null, null);
  }

  static Event report(String runId, RankReport report) {
    return new Event(REPORT, runId, null, report, null, null);
  }

  static Event rewind(String runId, long step) {
    return new Event(REWIND, runId, null, null, step, null);
  }

  static Event restore(String runId, RunState state) {
    return new Event(RESTORE, runId, null, null, null, state);
  }

  static Event delete(String runId) {
    return new Event(DELETE, runId, null, null, null, null);
  }
}
