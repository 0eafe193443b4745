package dev.coba.client;

import java.util.List;

/**
 * "Give me the weights for the next step." One client per rank and run; two implementations
 * that answer identically: {@link #remote} (the sidecar over HTTP) and {@link #inProcess} (the
 * core library, no server). No checked exceptions; close it when done.
 *
 * <pre>{@code
 * try (CobaClient coba = CobaClient.inProcess(RunDefinition.builder("run-1").tasks("a", "b").build())) {
 *   Weights w = coba.weights();                    // uniform before the first step
 *   for (long step = 0; step < steps; step++) {
 *     double loss = w.combine(trainLosses);        // sum_i w_i * l_i
 *     ...
 *     w = coba.report(StepReport.builder(step).valLosses(valLosses).build());
 *   }
 * }
 * }</pre>
 */
public interface CobaClient extends AutoCloseable {

  /** A client of the sidecar; creates the run (idempotently) when the sidecar answers. */
  static CobaClient remote(RemoteConfig config) {
    return new RemoteCobaClient(config);
  }

  /** A client that runs the balancer in this process, with no server. */
  static CobaClient inProcess(RunDefinition run) {
    return new InProcessCobaClient(
        run, InProcessCobaClient.DEFAULT_MAX_HISTORY, RemoteConfig.DEFAULT_CALL_TIMEOUT);
  }

  /** The run this client reports to. */
  RunDefinition definition();

  /**
   * Reports one rank's losses of a step and answers the weights for the next step.
   *
   * <p>Never blocks longer than the configured time limit and never throws for sidecar trouble
   * (unreachable, slow, 5xx, circuit open, other ranks not in yet): then it answers the last
   * weights it had ({@link Weights#fallback()} true; uniform before the first) and keeps the
   * report to deliver later, in order, before the next one.
   *
   * @throws CobaRejectedException at once when the balancer refuses the report as wrong (4xx)
   */
  Weights report(StepReport report);

  /** The last weights this client got (uniform before the first); no I/O. */
  Weights weights();

  /** The run as the balancer holds it now. */
  RunInfo run();

  /**
   * The completed steps the balancer still holds in [{@code from}, {@code to}], oldest first, with
   * the method's diagnostics (a sidecar keeps the last {@code --max-history} steps of a run). A
   * report still waiting in this client's buffer is not there yet.
   */
  List<StepRecord> history(long from, long to);

  /** The whole run state as one JSON document (protocol v1 {@code RunState}): save it with a model checkpoint. */
  String exportState();

  /** Restores a state from {@link #exportState()}; reports waiting in the buffer are dropped. */
  void restore(String stateJson);

  /** Drops every step after {@code step} (resume from a model checkpoint of that step). */
  void rewind(long step);

  /** Reports waiting to be delivered (always 0 in process). */
  int bufferedReports();

  /** Tries to deliver the buffered reports now, within the time limit; true when none is left. */
  boolean flush();

  /** Releases the client; does not delete the run. */
  @Override
  void close();
}
