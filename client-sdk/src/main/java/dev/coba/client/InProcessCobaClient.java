package dev.coba.client;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunConflictException;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import dev.coba.core.run.StepOutcome;
import dev.coba.protocol.Wire.HistoryBody;
import dev.coba.protocol.Wire.RunBody;
import dev.coba.protocol.Wire.RunStateBody;
import dev.coba.protocol.WireJson;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The balancer in this process: core's {@code Run}, the very path the sidecar takes, with no
 * server and no store. Thread-safe: ranks on several threads may share one instance (a rank
 * whose step waits for the others waits at most the time limit, then falls back like the
 * remote client).
 */
public final class InProcessCobaClient implements CobaClient {
  /** Completed steps retained for rewinds, as the sidecar's default. */
  public static final int DEFAULT_MAX_HISTORY = 10_000;

  private final RunDefinition definition;
  private final long timeoutNanos;
  private final int maxHistory;
  private Run run;
  private Weights last;

  /**
   * @param maxHistory completed steps retained for rewinds
   * @param rankTimeout how long a rank waits for the others to report its step
   */
  public InProcessCobaClient(RunDefinition definition, int maxHistory, Duration rankTimeout) {
    this.definition = definition;
    this.maxHistory = maxHistory;
    this.timeoutNanos = rankTimeout.toNanos();
    this.run = rejecting(() -> Run.create(spec(definition), maxHistory));
    this.last = current();
  }

  /** The run's spec as the sidecar makes it of a {@code RunCreate}, with the same checks. */
  static RunSpec spec(RunDefinition d) {
    return WireBodies.runCreate(d).toSpec("", d.runId());
  }

  @Override
  public RunDefinition definition() {
    return definition;
  }

  @Override
  public synchronized Weights report(StepReport r) {
    StepOutcome outcome = rejecting(() -> run.submit(WireBodies.stepReport(r).toRankReport("")));
    long deadline = System.nanoTime() + timeoutNanos;
    while (outcome instanceof StepOutcome.Pending) {
      notifyAll();
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return last.asFallback();
      }
      try {
        Duration d = Duration.ofNanos(left);
        wait(Math.max(1, d.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last.asFallback();
      }
      StepOutcome now = run.outcome(r.step());
      if (now == null) { // rewound or restored meanwhile
        return last.asFallback();
      }
      outcome = now;
    }
    notifyAll();
    StepOutcome.Complete c = (StepOutcome.Complete) outcome;
    Weights w = new Weights(c.weights().asMap(), objective(c.objective()), c.step(), false);
    if (last.step() == null || c.step() >= last.step()) {
      last = w;
    }
    return w;
  }

  @Override
  public synchronized Weights weights() {
    return last;
  }

  @Override
  public synchronized RunInfo run() {
    // through JSON, as the sidecar answers it: the parameters as JSON numbers
    return WireBodies.runInfo(WireJson.read(WireJson.write(RunBody.of(run)), RunBody.class));
  }

  @Override
  public synchronized List<StepRecord> history(long from, long to) {
    // as the sidecar's HistoryEntry, read as the remote client reads it
    return WireBodies.history(HistoryBody.of(definition.runId(), run.history(from, to)));
  }

  @Override
  public synchronized String exportState() {
    return WireJson.writeString(RunStateBody.of(run.exportState()));
  }

  @Override
  public synchronized void restore(String stateJson) {
    RunState state =
        rejecting(() -> WireJson.read(stateJson, RunStateBody.class).toState(definition.runId()));
    if (!state.run().runId().equals(definition.runId())) {
      throw new CobaRejectedException(
          400,
          "run.runId",
          "the state is of run "
              + state.run().runId()
              + ", this client's run is "
              + definition.runId());
    }
    run = rejecting(() -> Run.restore(state, maxHistory));
    last = current();
    notifyAll();
  }

  @Override
  public synchronized void rewind(long step) {
    rejecting(
        () -> {
          run.rewind(step);
          return null;
        });
    last = current();
    notifyAll();
  }

  @Override
  public int bufferedReports() {
    return 0;
  }

  @Override
  public boolean flush() {
    return true;
  }

  @Override
  public void close() {}

  private Weights current() {
    return new Weights(run.weights().asMap(), objective(run.objective()), run.lastStep(), false);
  }

  static Objective objective(dev.coba.core.Objective o) {
    return o == dev.coba.core.Objective.LOG ? Objective.LOG : Objective.LINEAR;
  }

  /** Core's refusals as the sidecar would answer them: 400 for invalid input, 409 for a conflict. */
  static <T> T rejecting(Supplier<T> action) {
    try {
      return action.get();
    } catch (InvalidInputException e) {
      throw new CobaRejectedException(400, e.field(), e.getMessage());
    } catch (RunConflictException e) {
      throw new CobaRejectedException(409, e.field(), e.getMessage());
    }
  }
}
