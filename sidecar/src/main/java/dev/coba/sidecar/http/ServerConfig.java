package dev.coba.sidecar.http;

/**
 * Where and how the server listens.
 *
 * @param bind the address to bind, e.g. {@code 127.0.0.1}
 * @param port the port; 0 picks any free one ({@link SidecarServer#port()} tells which)
 * @param token the bearer token every {@code /v1} route and {@code /metrics} require; null for none
 */
public record ServerConfig(String bind, int port, String token) {
  public ServerConfig {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    token = token == null || token.isEmpty() ? null : token;
  }

  /** Loopback, any free port, no token: for tests. */
  public static ServerConfig loopback() {
    return new ServerConfig("127.0.0.1", 0, null);
  }

  @Override
  public String toString() { // never the token
    return "ServerConfig[bind=" + bind + ", port=" + port + ", token=" + (token == null ? "none" : "set") + "]";
  }
}
