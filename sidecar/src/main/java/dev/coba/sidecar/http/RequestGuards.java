package dev.coba.sidecar.http;

import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;

/**
 * Refusals that come before the bearer token and the route: what the protocol never takes
 * (a method override) and what only a browser tricked by another site sends (a foreign Host
 * without a token, a foreign Origin). {@code /healthz} and {@code /readyz} are exempt from the
 * last two: probes send whatever Host they like, and the answers reveal nothing.
 */
final class RequestGuards {
  static final String METHOD_OVERRIDE = "X-HTTP-Method-Override";
  private static final Set<String> PROBES = Set.of("/healthz", "/readyz", "/healthz/", "/readyz/");

  /** Null when a token is set: then a rebound page lacks the token anyway. */
  private final HostCheck hosts;

  RequestGuards(ServerConfig config) {
    this.hosts = config.token() == null ? new HostCheck(config.bind()) : null;
  }

  void check(Context ctx) {
    noMethodOverride(ctx);
    if (PROBES.contains(ctx.path())) {
      return;
    }
    String host = ctx.req().getHeader("Host");
    if (hosts != null && !hosts.allows(host)) {
      throw new ApiException(
          403,
          "Host",
          "without a token this server answers only requests to localhost, a loopback"
              + " address or the address it is bound to, not '"
              + ErrorMapping.cut(host, 60)
              + "' (set a token to serve"
              + " other names)");
    }
    sameOrigin(ctx.req().getHeader("Origin"), host);
  }

  /**
   * Javalin would take the method from {@code X-HTTP-Method-Override}, so that a GET could
   * delete a run (and slip past anything that trusts the request line, a proxy's rules or a
   * read-only token). Refused rather than ignored: a client that relies on it learns at once.
   */
  private static void noMethodOverride(Context ctx) {
    if (ctx.req().getHeader(METHOD_OVERRIDE) != null) {
      throw new ApiException(
          400, METHOD_OVERRIDE, METHOD_OVERRIDE + " is not supported: send the method itself");
    }
  }

  /**
   * A browser names the page's origin on cross-origin requests (and on same-origin ones that
   * change things). The protocol has no CORS: a page of another origin has no business here,
   * token or not, so its requests are refused before they change anything.
   */
  private static void sameOrigin(String origin, String host) {
    if (origin == null || origin.isEmpty()) {
      return; // not a browser, or a same-origin read
    }
    if (host == null || !sameAuthority(origin, host)) {
      throw new ApiException(
          403,
          "Origin",
          "cross-origin requests are refused: Origin '"
              + ErrorMapping.cut(origin, 60)
              + "' is not this server ("
              + ErrorMapping.cut(host, 60)
              + ")");
    }
  }

  private static boolean sameAuthority(String origin, String host) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false; // "null" (a sandboxed page, a file) and anything unparsable
    }
    if (uri.getHost() == null || uri.getScheme() == null) {
      return false;
    }
    int defaultPort = uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    int originPort = uri.getPort() < 0 ? defaultPort : uri.getPort();
    String hostName = HostCheck.hostName(host);
    String rest =
        host.startsWith("[")
            ? host.substring(host.indexOf(']') + 1)
            : host.substring(hostName.length());
    int hostPort;
    try {
      hostPort = rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : defaultPort;
    } catch (NumberFormatException e) {
      return false;
    }
    String originHost =
        uri.getHost().startsWith("[")
            ? uri.getHost().substring(1, uri.getHost().length() - 1)
            : uri.getHost();
    return originHost.toLowerCase(Locale.ROOT).equals(hostName.toLowerCase(Locale.ROOT))
        && originPort == hostPort;
  }
}
