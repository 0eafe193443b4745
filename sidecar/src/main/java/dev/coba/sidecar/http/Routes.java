package dev.coba.sidecar.http;

import dev.coba.protocol.WireJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Registers routes on the app and remembers them, so that the contract test can list them.
 * Public for the dashboard's package, which registers its JSON route and its pages here.
 */
public final class Routes {
  public static final String JSON = "application/json";

  /** One registered route: method and path template as in openapi.yaml. */
  record Route(String method, String path) {}

  private final Javalin app;
  private final List<Route> routes = new ArrayList<>();

  Routes(Javalin app) {
    this.app = app;
  }

  public void add(HandlerType method, String path, Handler handler) {
    app.addHttpHandler(method, path, handler);
    routes.add(new Route(method.name(), path));
  }

  /**
   * A GET outside protocol v1 (a page of the dashboard shell): served, but neither listed here
   * nor in openapi.yaml, and no bearer token needed ({@link SidecarServer} lets it through).
   */
  public void page(String path, Handler handler) {
    app.addHttpHandler(HandlerType.GET, path, handler);
  }

  List<Route> all() {
    return List.copyOf(routes);
  }

  /** The path templates, e.g. {@code /v1/runs/{runId}}. */
  Set<String> paths() {
    Set<String> paths = new LinkedHashSet<>();
    routes.forEach(r -> paths.add(r.path()));
    return paths;
  }

  /** Writes {@code body} as JSON with {@code status}. */
  public static void json(Context ctx, int status, Object body) {
    ctx.status(status).contentType(JSON).result(WireJson.write(body));
  }
}
