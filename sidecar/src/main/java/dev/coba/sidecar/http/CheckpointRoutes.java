package dev.coba.sidecar.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;
import static io.javalin.http.HandlerType.PUT;

import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunState;
import dev.coba.protocol.Wire.RewindBody;
import dev.coba.protocol.Wire.RunStateBody;
import dev.coba.sidecar.runs.RunRegistry;
import io.javalin.http.Context;

/** {@code /v1/runs/{runId}/state} (GET, PUT) and {@code /v1/runs/{runId}/rewind}. */
final class CheckpointRoutes {
  private final RunRegistry registry;

  CheckpointRoutes(RunRegistry registry) {
    this.registry = registry;
  }

  void register(Routes routes) {
    routes.add(GET, "/v1/runs/{runId}/state", this::export);
    routes.add(PUT, "/v1/runs/{runId}/state", this::restore);
    routes.add(POST, "/v1/runs/{runId}/rewind", this::rewind);
  }

  private void export(Context ctx) {
    Routes.json(ctx, 200, RunStateBody.of(registry.exportState(Query.runId(ctx))));
  }

  /** Restores a checkpoint, creating the run if it does not exist; answers the run as it now is. */
  private void restore(Context ctx) throws Exception {
    String runId = Query.runId(ctx);
    RunState state = Bodies.read(ctx, RunStateBody.class).toState(runId);
    checkDefinition(registry, state);
    Routes.json(ctx, 200, Views.run(registry.restoreState(runId, state)));
  }

  private void rewind(Context ctx) throws Exception {
    String runId = Query.runId(ctx);
    long step = Bodies.read(ctx, RewindBody.class).step("step");
    Routes.json(ctx, 200, Views.run(registry.rewind(runId, step)));
  }

  /**
   * Checks the definition and the base state before the registry replays the reports, so that
   * an error names its place in the document ({@code run.params.tau}, {@code base.data}); the
   * reports' errors come back from the replay as {@code reports[i]....}.
   */
  private static void checkDefinition(RunRegistry registry, RunState state) {
    try {
      registry.checkCouldFit(state.run()); // before Run.create allocates the method's state
      Run.create(state.run(), 1);
    } catch (InvalidInputException e) {
      throw new InvalidInputException("run." + e.field(), e.getMessage());
    }
    if (state.base() != null) {
      try {
        Methods.restore(state.base());
      } catch (InvalidInputException e) {
        String field =
            e.field().startsWith("state.") ? e.field().substring("state.".length()) : e.field();
        throw new InvalidInputException("base." + field, e.getMessage());
      }
    }
  }
}
