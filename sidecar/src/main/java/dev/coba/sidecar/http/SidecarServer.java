package dev.coba.sidecar.http;

import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.sidecar.runs.RunRegistry;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server of protocol v1 ({@code openapi.yaml}) in front of a {@link RunRegistry}:
 * parses, validates, authenticates, and hands everything else to the registry.
 *
 * <p>Every request passes, in order: the head deadline and the connection cap
 * ({@link ConnectionLimits}: 408), the {@link RequestGuards} (400 for a method override, 403
 * for a foreign Host without a token or a foreign Origin), the bearer check (401; 403 for the
 * read token on a change), the content-type check of a POST or PUT (415), the route (404,
 * 405), the bounded, timed body read (413, 408), the strict JSON reader (400), the registry;
 * {@link ErrorMapping} turns each failure into its status.
 */
public final class SidecarServer implements AutoCloseable {
  /** Longer than the longest long-poll ({@link StepRoutes#MAX_WAIT_MS}), so that none is cut. */
  static final int IDLE_TIMEOUT_MS = 90_000;

  /** How long stopping waits for requests in flight. */
  static final int STOP_TIMEOUT_MS = 5_000;

  static final String STARTING = "the sidecar is starting (replaying its journal); retry shortly";

  private final Javalin app;
  private final RunRegistry registry;
  private final List<Routes.Route> routes;
  private volatile boolean stopping;

  /**
   * Jetty's pool without reserved threads: on a small machine, handing each request to a
   * parked spare thread costs more CPU (wake-ups) than the requests themselves.
   */
  private static QueuedThreadPool threadPool() {
    QueuedThreadPool pool = new QueuedThreadPool(250, 8, 60_000);
    pool.setReservedThreads(0);
    pool.setName("coba-http");
    return pool;
  }

  private SidecarServer(RunRegistry registry, ServerConfig config, List<RouteGroup> groups) {
    this.registry = registry;
    Metrics metrics = new Metrics(registry);
    QueuedThreadPool pool = threadPool();
    this.app =
        Javalin.create(
            cfg -> {
              cfg.showJavalinBanner = false;
              cfg.startupWatcherEnabled = false;
              cfg.http.maxRequestSize = Bodies.MAX_BYTES;
              cfg.http.prefer405over404 = true;
              cfg.jetty.threadPool = pool;
              cfg.http
                  .disableCompression(); // answers are a few hundred bytes: compressing them costs
              // more than it saves
              cfg.requestLogger.http(metrics::request);
              cfg.jetty.modifyServer(
                  server -> {
                    server.setStopTimeout(STOP_TIMEOUT_MS);
                    server.setErrorHandler(new JettyErrors());
                  });
              cfg.appData(Bodies.BODY_TIMEOUT, config.limits().bodyTimeout());
              cfg.jetty.addConnector(
                  (server, http) -> {
                    http.setSendServerVersion(false);
                    http.setDelayDispatchUntilContent(
                        true); // a body that never starts holds no worker (the head deadline ends
                    // it)
                    ServerConnector connector =
                        new ServerConnector(
                            server,
                            new HeadDeadlineConnectionFactory(
                                http, config.limits().headerTimeout()));
                    connector.setHost(config.bind());
                    connector.setPort(config.port());
                    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
                    // beyond the cap Jetty stops accepting: new connections wait in the kernel's
                    // backlog
                    server.addBean(
                        new ConnectionLimit(config.limits().maxConnections(), connector));
                    try {
                      // bound here, before Jetty starts: a taken port then fails with its own
                      // exception, which
                      // Jetty's start would otherwise bury under the failure of its own clean-up
                      connector.open();
                    } catch (IOException e) {
                      throw new CannotListenException(config.bind(), config.port(), e);
                    }
                    return connector;
                  });
            });
    app.before(new RequestGuards(config)::check);
    if (config.token() != null) {
      BearerAuth auth = new BearerAuth(config.token(), config.readToken());
      app.before(
          ctx -> { // the dashboard's shell carries no data: its page asks for the token
            if (!RouteGroup.anyOpen(groups, ctx.path())) {
              auth.check(ctx);
            }
          });
    }
    app.before(ctx -> answerStartingWhileLoading(registry, ctx));
    app.beforeMatched(Bodies::requireJson);
    ErrorMapping.install(app);
    Routes table = new Routes(app);
    new OperationRoutes(registry, metrics, () -> stopping).register(table);
    new RunRoutes(registry).register(table);
    new StepRoutes(registry, metrics, pool).register(table); // long-polls answer on the pool
    new CheckpointRoutes(registry).register(table);
    groups.forEach(g -> g.register(table));
    metrics.routes(table.paths());
    this.routes = table.all();
  }

  /**
   * Until the registry is loaded (a long journal replays while the port is open already), only
   * the probes answer; everything else is 503 with a Retry-After: nothing is read half-replayed.
   */
  private static void answerStartingWhileLoading(RunRegistry registry, Context ctx) {
    if (!registry.ready() && !ctx.path().equals("/healthz") && !ctx.path().equals("/readyz")) {
      ctx.header("Retry-After", "1");
      Routes.json(ctx, 503, new ErrorBody(STARTING, null, 503));
      ctx.skipRemainingHandlers();
    }
  }

  /**
   * A server for {@code registry}, loaded or not (see {@link RunRegistry#unloaded}), with
   * protocol v1's routes and {@code groups}' (the full sidecar: {@code dev.coba.sidecar.cli.Assembly});
   * not yet listening. The registry stays the caller's to close.
   */
  public static SidecarServer create(
      RunRegistry registry, ServerConfig config, RouteGroup... groups) {
    return new SidecarServer(registry, config, List.of(groups));
  }

  /** Binds and starts; throws {@link CannotListenException} when the port is taken. */
  public SidecarServer start() {
    app.start();
    return this;
  }

  /** The port listened on (the one picked when the config said 0). */
  public int port() {
    return app.port();
  }

  /** Every route as method and path template, e.g. {@code GET /v1/runs/{runId}}. */
  public List<String> routes() {
    return routes.stream().map(r -> r.method() + " " + r.path()).toList();
  }

  /** Stops listening; waits up to {@link #STOP_TIMEOUT_MS} for requests in flight (open long-polls answer at once). */
  public void stop() {
    stopping = true;
    registry.stopParking();
    app.stop();
  }

  @Override
  public void close() {
    stop();
  }
}
