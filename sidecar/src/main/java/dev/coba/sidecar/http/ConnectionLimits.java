package dev.coba.sidecar.http;

import java.time.Duration;

/**
 * What one client may hold of the server: connections, and the time a request may take to
 * arrive. Slow or stalled requests (a byte every few seconds, a body that never comes) would
 * otherwise keep connections and worker threads for as long as the idle timeout (90 s).
 *
 * @param maxConnections connections held at once; beyond it the server stops accepting, so
 *     that new ones wait in the kernel's backlog until one closes
 * @param headerTimeout how long a request's head (request line and headers, and the first body
 *     bytes: the request reaches a worker only then) may take from its first byte, or from the
 *     connection's opening; the connection is then answered 408 and closed
 * @param bodyTimeout how long reading the rest of a body may take, in all; then 408
 */
public record ConnectionLimits(int maxConnections, Duration headerTimeout, Duration bodyTimeout) {
  /**
   * 4096 connections: room for 2,000 long-polls beside the reports, within the default file
   * limit of a JVM on Linux. 10 s for a head, 20 s for a body of at most 1 MiB: generous on
   * any network a trainer reports from, short against a client that holds a worker.
   */
  public static final ConnectionLimits DEFAULTS =
      new ConnectionLimits(4096, Duration.ofSeconds(10), Duration.ofSeconds(20));

  public ConnectionLimits {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1, got " + maxConnections);
    }
    if (headerTimeout.toMillis() < 1 || bodyTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeouts must be at least 1 ms");
    }
  }

  public ConnectionLimits withMaxConnections(int max) {
    return new ConnectionLimits(max, headerTimeout, bodyTimeout);
  }
}
