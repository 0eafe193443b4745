package dev.coba.sidecar.http;

import java.util.List;

/**
 * Routes that live outside this package (the dashboard) and join a {@link SidecarServer} when
 * it is assembled: the server knows this interface, not them, so the dependency goes one way.
 */
public interface RouteGroup {
  void register(Routes routes);

  /**
   * Whether {@code path} is one of this group's open pages, which carry no data and need no
   * token (the dashboard's shell asks for the token itself).
   */
  default boolean isOpenPage(String path) {
    return false;
  }

  /** Whether any of {@code groups} calls {@code path} an open page. */
  static boolean anyOpen(List<RouteGroup> groups, String path) {
    for (RouteGroup g : groups) {
      if (g.isOpenPage(path)) {
        return true;
      }
    }
    return false;
  }
}
