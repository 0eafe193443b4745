package dev.coba.sidecar.http;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * With a token configured, every path but {@code /healthz}, {@code /readyz} and the dashboard's
 * pages (which carry no data and ask the user for the token) needs
 * {@code Authorization: Bearer <token>} (so every {@code /v1} route and {@code /metrics},
 * and unknown paths too, which then reveal nothing). An optional read token opens GET (and
 * HEAD) only: dashboards, metrics, checkpoints, but no change; it is 403 on anything else. The
 * comparison takes the same time whatever the token given: both sides are hashed, then
 * compared with {@link MessageDigest#isEqual}.
 */
final class BearerAuth {
  private static final Set<String> OPEN = Set.of("/healthz", "/readyz");
  private static final Set<String> READING = Set.of("GET", "HEAD");
  private final byte[] expected;

  /** Null when no read token is set. */
  private final byte[] reading;

  BearerAuth(String token, String readToken) {
    this.expected = sha256(token);
    this.reading = readToken == null ? null : sha256(readToken);
  }

  void check(Context ctx) {
    String path = ctx.path();
    if (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (OPEN.contains(path)) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null) {
      throw new ApiException(401, null, "missing Authorization: Bearer <token>");
    }
    String given =
        header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    byte[] hash = given == null ? null : sha256(given);
    if (hash != null && MessageDigest.isEqual(expected, hash)) {
      return;
    }
    if (hash != null && reading != null && MessageDigest.isEqual(reading, hash)) {
      if (READING.contains(ctx.req().getMethod())) {
        return;
      }
      throw new ApiException(
          403, null, "the read-only token opens GET requests only; this needs the token");
    }
    throw new ApiException(401, null, "wrong bearer token");
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
