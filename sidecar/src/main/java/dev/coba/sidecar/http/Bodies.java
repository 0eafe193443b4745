package dev.coba.sidecar.http;

import dev.coba.core.InvalidInputException;
import dev.coba.protocol.WireJson;
import io.javalin.config.Key;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;

/**
 * Request bodies: JSON only, at most {@link #MAX_BYTES}, counted while reading (a chunked
 * body has no Content-Length to trust), then parsed by {@link WireJson}.
 */
public final class Bodies {
  /** 1 MiB: far above a report of 1,024 tasks, far below what could hurt the heap. */
  public static final int MAX_BYTES = 1 << 20;

  static final String TOO_LARGE = "the body exceeds " + MAX_BYTES + " bytes (1 MiB)";

  /** How long reading a body may take in all (set per server, see {@link ConnectionLimits#bodyTimeout}). */
  static final Key<Duration> BODY_TIMEOUT = new Key<>("coba.bodyTimeout");

  private Bodies() {}

  /** 415 unless a POST or PUT says {@code Content-Type: application/json}. */
  static void requireJson(Context ctx) {
    String method = ctx.method().name();
    if (!method.equals("POST") && !method.equals("PUT")) {
      return;
    }
    String type = ctx.header("Content-Type");
    String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new ApiException(
          415,
          null,
          "the body must be JSON with Content-Type: application/json, got "
              + (type == null ? "no Content-Type" : "'" + type + "'"));
    }
  }

  /** Reads and parses the body as {@code type}; 413 beyond 1 MiB, 400 for anything malformed. */
  static <T> T read(Context ctx, Class<T> type) {
    T body = WireJson.read(bytes(ctx), type);
    if (body == null) { // the document `null`: valid JSON, but no object
      throw new InvalidInputException(null, "the body is null: expected a JSON object");
    }
    return body;
  }

  static byte[] bytes(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > MAX_BYTES) {
      throw new ApiException(413, null, TOO_LARGE);
    }
    Duration timeout = ctx.appData(BODY_TIMEOUT);
    TimedRead read = new TimedRead(Request.getBaseRequest(ctx.req()).getHttpChannel(), timeout);
    try {
      InputStream in = ctx.req().getInputStream();
      // with a Content-Length, read exactly that (one right-sized buffer); chunked: read up to the
      // limit
      byte[] body = read.bytes(in, declared >= 0 ? (int) declared : MAX_BYTES + 1);
      if (declared >= 0 && read.bytes(in, 1).length > 0) {
        throw new ApiException(400, null, "the body is longer than its Content-Length");
      }
      if (body.length > MAX_BYTES) {
        throw new ApiException(413, null, TOO_LARGE);
      }
      return body;
    } catch (IOException e) {
      if (read.timedOut(e)) {
        ctx.header(
            "Connection",
            "close"); // the rest of the body may still come: never read it as a request
        throw new ApiException(
            408, null, "the body did not arrive within " + timeout.toMillis() + " ms");
      }
      if (e
          instanceof
          EofException) { // the client closed before its Content-Length: its fault, not a bug
        throw new ApiException(400, null, "the body ended before its Content-Length");
      }
      throw new UncheckedIOException("cannot read the request body", e);
    } finally {
      read.close();
    }
  }
}
