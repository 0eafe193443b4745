package dev.coba.sidecar.http;

import io.javalin.http.Context;

/** Refusals that come before the bearer token and the route: what the protocol never takes. */
final class RequestGuards {
  static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";

  private RequestGuards() {}

  /**
   * Javalin would take the method from {@code X-HTTP-Method-Override}, so that a GET could
   * delete a run (and slip past anything that trusts the request line, a proxy's rules or a
   * read-only token). Refused rather than ignored: a client that relies on it learns at once.
   */
  static void noMethodOverride(Context ctx) {
    if (ctx.req().getHeader(METHOD_OVERRIDE) != null) {
      throw new ApiException(400, METHOD_OVERRIDE, METHOD_OVERRIDE + " is not supported: send the method itself");
    }
  }
}
