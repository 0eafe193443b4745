package dev.coba.sidecar.cli;

import dev.coba.sidecar.dashboard.DashboardRoutes;
import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.RunRegistry;

/**
 * Puts the sidecar together: protocol v1's server with the dashboard. The one place that knows
 * both, so that {@code http} need not know the dashboard, which builds on it.
 */
public final class Assembly {
  private Assembly() {}

  /** The full sidecar for {@code registry}: not yet listening; the registry stays the caller's to close. */
  public static SidecarServer server(RunRegistry registry, ServerConfig config) {
    return SidecarServer.create(registry, config, new DashboardRoutes(registry));
  }
}
