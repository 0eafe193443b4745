package dev.coba.sidecar.http;

/**
 * Where and how the server listens.
 *
 * @param bind the address to bind, e.g. {@code 127.0.0.1}
 * @param port the port; 0 picks any free one ({@link SidecarServer#port()} tells which)
 * @param token the bearer token every {@code /v1} route and {@code /metrics} require; null for none
 * @param readToken a second token that opens only reading (GET); null for none; needs {@code token}
 * @param limits connections and request timeouts
 */
public record ServerConfig(
    String bind, int port, String token, String readToken, ConnectionLimits limits) {
  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    token = token == null || token.isEmpty() ? null : token;
    readToken = readToken == null || readToken.isEmpty() ? null : readToken;
    if (readToken != null && token == null) { // else everything but reading would be open
      throw new IllegalArgumentException("a read token needs a token");
    }
    if (readToken != null && readToken.equals(token)) {
      throw new IllegalArgumentException("the read token must differ from the token");
    }
    limits = limits == null ? ConnectionLimits.DEFAULTS : limits;
  }

  /** One token (or none), the default limits. */
  public ServerConfig(String bind, int port, String token) {
    this(bind, port, token, null, ConnectionLimits.DEFAULTS);
  }

  /** Loopback, any free port, no token: for tests. */
  public static ServerConfig loopback() {
    return new ServerConfig("127.0.0.1", 0, null);
  }

  public ServerConfig withReadToken(String read) {
    return new ServerConfig(bind, port, token, read, limits);
  }

  public ServerConfig withLimits(ConnectionLimits l) {
    return new ServerConfig(bind, port, token, readToken, l);
  }

  @Override
  public String toString() { // never a token
    return "ServerConfig[bind="
        + bind
        + ", port="
        + port
        + ", token="
        + (token == null ? "none" : "set")
        + ", readToken="
        + (readToken == null ? "none" : "set")
        + ", limits="
        + limits
        + "]";
  }
}
