package dev.coba.sidecar.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.StepOutcome;
import dev.coba.protocol.Wire.HistoryBody;
import dev.coba.protocol.Wire.StepPendingBody;
import dev.coba.protocol.Wire.StepReportBody;
import dev.coba.protocol.Wire.StepWeightsBody;
import dev.coba.sidecar.runs.RunRegistry;
import io.javalin.http.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@code /v1/runs/{runId}/steps}, {@code .../weights}, {@code .../history}.
 *
 * <p>A long-poll holds no thread while it waits: the handler returns with the exchange suspended
 * (Javalin's {@code ctx.future}), and the answer is written on {@code answers} (the server's
 * pool) once the registry completes the wait. Thousands of open polls cost a socket and a future
 * each, so probes and reports keep their threads.
 */
final class StepRoutes {
  static final long MAX_WAIT_MS = 60_000;

  private final RunRegistry registry;
  private final Metrics metrics;
  private final Executor answers;

  StepRoutes(RunRegistry registry, Metrics metrics, Executor answers) {
    this.registry = registry;
    this.metrics = metrics;
    this.answers = answers;
  }

  void register(Routes routes) {
    routes.add(POST, "/v1/runs/{runId}/steps", this::report);
    routes.add(GET, "/v1/runs/{runId}/weights", this::weights);
    routes.add(GET, "/v1/runs/{runId}/history", this::history);
  }

  /** 200 with the weights once every rank reported the step; 202 until then. Answers once durable. */
  private void report(Context ctx) throws Exception {
    String runId = Query.runId(ctx);
    StepReportBody body = Bodies.read(ctx, StepReportBody.class);
    StepOutcome outcome = registry.submit(runId, body.toRankReport(""));
    metrics.report(outcome);
    answer(ctx, runId, outcome);
  }

  /** Without {@code step}: the current weights. With it: long-polls up to {@code waitMs}. */
  private void weights(Context ctx) {
    String runId = Query.runId(ctx);
    Long step = Query.integer(ctx, "step", 0, Long.MAX_VALUE, null);
    long waitMs = Query.integer(ctx, "waitMs", 0, MAX_WAIT_MS, 0L);
    if (step == null) {
      Routes.json(ctx, 200, Views.weights(registry.get(runId)));
      return;
    }
    CompletableFuture<StepOutcome> done = registry.whenDone(runId, step, waitMs);
    if (done.isDone()) { // not pending, or no wait asked: answer on this thread, no suspension
      answerPoll(ctx, runId, step, done.join());
      return;
    }
    // a failure (the run deleted meanwhile, a 404) reaches ErrorMapping like a thrown one
    ctx.future(
        () -> done.thenAcceptAsync(outcome -> answerPoll(ctx, runId, step, outcome), answers));
  }

  private static void answerPoll(Context ctx, String runId, long step, StepOutcome outcome) {
    if (outcome == null) {
      throw new ApiException(
          404,
          "step",
          "no rank reported step "
              + step
              + " of run '"
              + runId
              + "' (or it left the retained history)");
    }
    answer(ctx, runId, outcome);
  }

  private void history(Context ctx) {
    String runId = Query.runId(ctx);
    long from = Query.integer(ctx, "from", 0, Long.MAX_VALUE, 0L);
    long to = Query.integer(ctx, "to", 0, Long.MAX_VALUE, Long.MAX_VALUE);
    if (from > to) {
      throw new InvalidInputException(
          "to", "to must be >= from, got from " + from + " and to " + to);
    }
    Routes.json(ctx, 200, HistoryBody.of(runId, registry.history(runId, from, to)));
  }

  private static void answer(Context ctx, String runId, StepOutcome outcome) {
    if (outcome instanceof StepOutcome.Complete c) {
      Routes.json(ctx, 200, StepWeightsBody.of(runId, c));
    } else {
      Routes.json(ctx, 202, StepPendingBody.of(runId, (StepOutcome.Pending) outcome));
    }
  }
}
