package dev.coba.sidecar.dashboard;

import static io.javalin.http.HandlerType.GET;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RunSpec;
import dev.coba.sidecar.http.RouteGroup;
import dev.coba.sidecar.http.Routes;
import dev.coba.sidecar.runs.Downsampled;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.sidecar.runs.RunView;
import dev.coba.sidecar.runs.StepSeries;
import io.javalin.http.Context;

/**
 * The dashboard: its pages ({@code /}, {@code /runs/{runId}}, {@code /dashboard/*}: the shell,
 * no data, served without a token) and the one JSON route they poll, {@code GET
 * /v1/runs/{runId}/series}, which is protocol v1 like any other (token, openapi.yaml).
 */
public final class DashboardRoutes implements RouteGroup {
  /** Points answered when {@code points} is not given, and the most: the buckets a run holds. */
  static final int MAX_POINTS = StepSeries.BUCKETS;

  private final RunRegistry registry;
  private final ShellAssets assets = ShellAssets.load();

  public DashboardRoutes(RunRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void register(Routes routes) {
    routes.add(GET, "/v1/runs/{runId}/series", this::series);
    routes.page("/", ctx -> assets.serve(ctx, "index.html"));
    routes.page("/runs/{runId}", ctx -> assets.serve(ctx, "run.html"));
    routes.page("/dashboard/{file}", ctx -> assets.serve(ctx, ctx.pathParam("file")));
  }

  /** The shell's pages are open: they carry no data, and ask for the token themselves. */
  @Override
  public boolean isOpenPage(String path) {
    return isShell(path);
  }

  /** Whether {@code path} is part of the shell, which needs no token (it carries no data). */
  public static boolean isShell(String path) {
    return path.equals("/") || path.startsWith("/runs/") || path.startsWith("/dashboard/");
  }

  /** Copies the points under the run's lock (arrays only); boxes and writes them after, outside it. */
  private void series(Context ctx) {
    String runId = runId(ctx);
    int points = points(ctx);
    Snapshot s =
        registry.series(runId, (run, series) -> new Snapshot(run, series.downsample(points)));
    Routes.json(ctx, 200, SeriesBodies.of(s.run(), s.points()));
  }

  private record Snapshot(RunView run, Downsampled points) {}

  private static String runId(Context ctx) {
    String id = ctx.pathParam("runId");
    if (!RunSpec.RUN_ID.matcher(id).matches()) {
      throw new InvalidInputException("runId", "runId must match [A-Za-z0-9._-]{1,128}");
    }
    return id;
  }

  private static int points(Context ctx) {
    String text = ctx.queryParam("points");
    if (text == null) {
      return MAX_POINTS;
    }
    try {
      int points = Integer.parseInt(text.trim());
      if (points >= 2 && points <= MAX_POINTS) {
        return points;
      }
    } catch (NumberFormatException e) {
      // answered below, like a number out of range
    }
    throw new InvalidInputException(
        "points",
        "points must be an integer in [2, "
            + MAX_POINTS
            + "], got '"
            + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
            + "'");
  }
}
