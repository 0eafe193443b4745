package dev.coba.sidecar.http;

import static io.javalin.http.HandlerType.DELETE;
import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import dev.coba.core.Methods;
import dev.coba.core.run.RunSpec;
import dev.coba.protocol.Wire.MethodListBody;
import dev.coba.protocol.Wire.RunCreateBody;
import dev.coba.protocol.WireJson;
import dev.coba.sidecar.runs.CreateResult;
import dev.coba.sidecar.runs.RunRegistry;
import io.javalin.http.Context;
import java.security.SecureRandom;
import java.util.HexFormat;

/** {@code /v1/methods}, {@code /v1/runs}, {@code /v1/runs/{runId}}. */
final class RunRoutes {
  static final int MAX_PAGE = 1000;
  static final int DEFAULT_PAGE = 100;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RunRegistry registry;
  private final byte[] methods = WireJson.write(MethodListBody.of(Methods.all()));

  RunRoutes(RunRegistry registry) {
    this.registry = registry;
  }

  void register(Routes routes) {
    routes.add(GET, "/v1/methods", ctx -> ctx.contentType(Routes.JSON).result(methods));
    routes.add(POST, "/v1/runs", this::create);
    routes.add(GET, "/v1/runs", this::list);
    routes.add(GET, "/v1/runs/{runId}", this::get);
    routes.add(DELETE, "/v1/runs/{runId}", this::delete);
  }

  /** 201 with the run as stored; 200 when the same definition exists already. */
  private void create(Context ctx) throws Exception {
    RunSpec spec = Bodies.read(ctx, RunCreateBody.class).toSpec("", newRunId());
    CreateResult result = registry.create(spec);
    Routes.json(ctx, result.created() ? 201 : 200, Views.run(result.run()));
  }

  private void list(Context ctx) {
    int limit = Query.integer(ctx, "limit", 1, MAX_PAGE, (long) DEFAULT_PAGE).intValue();
    String after = Query.cursor(ctx, "after");
    Routes.json(ctx, 200, Views.page(registry.list(after, limit)));
  }

  private void get(Context ctx) {
    Routes.json(ctx, 200, Views.run(registry.get(Query.runId(ctx))));
  }

  private void delete(Context ctx) {
    registry.delete(Query.runId(ctx));
    ctx.status(204);
  }

  /** {@code run-} and 16 random hex digits. */
  static String newRunId() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return "run-" + HexFormat.of().formatHex(bytes);
  }
}
