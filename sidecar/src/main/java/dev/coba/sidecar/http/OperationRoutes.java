package dev.coba.sidecar.http;

import static io.javalin.http.HandlerType.GET;

import dev.coba.protocol.Wire.HealthBody;
import dev.coba.sidecar.runs.RunRegistry;
import io.javalin.http.Context;
import java.util.function.BooleanSupplier;

/** {@code /healthz}, {@code /readyz}, {@code /metrics}. */
final class OperationRoutes {
  private final RunRegistry registry;
  private final Metrics metrics;
  private final BooleanSupplier stopping;

  OperationRoutes(RunRegistry registry, Metrics metrics, BooleanSupplier stopping) {
    this.registry = registry;
    this.metrics = metrics;
    this.stopping = stopping;
  }

  void register(Routes routes) {
    routes.add(GET, "/healthz", ctx -> Routes.json(ctx, 200, new HealthBody("ok")));
    routes.add(GET, "/readyz", this::ready);
    routes.add(GET, "/metrics", this::metrics);
  }

  /**
   * 200 once the store is open and replayed; 503 while starting (replaying), while the store
   * takes no writes (every change would be refused: a full disk), or while stopping.
   */
  private void ready(Context ctx) {
    if (stopping.getAsBoolean()) {
      Routes.json(ctx, 503, new HealthBody("stopping"));
    } else if (!registry.ready()) {
      Routes.json(ctx, 503, new HealthBody("starting"));
    } else if (registry.storeFailure() != null) {
      Routes.json(ctx, 503, new HealthBody("not ready"));
    } else {
      Routes.json(ctx, 200, new HealthBody("ready"));
    }
  }

  private void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }
}
