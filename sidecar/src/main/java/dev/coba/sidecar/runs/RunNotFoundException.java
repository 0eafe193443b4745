package dev.coba.sidecar.runs;

/** No run has this id (never created, or deleted). */
public final class RunNotFoundException extends RuntimeException {
  private final String runId;

  public RunNotFoundException(String runId) {
    super("no run '" + runId + "'");
    this.runId = runId;
  }

  public String runId() {
    return runId;
  }
}
