package dev.coba.sidecar.http;

import dev.coba.core.InvalidInputException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Request bodies: JSON only, at most {@link #MAX_BYTES}, counted while reading (a chunked
 * body has no Content-Length to trust), then parsed by {@link Json}.
 */
public final class Bodies {
  /** 1 MiB: far above a report of 1,024 tasks, far below what could hurt the heap. */
  public static final int MAX_BYTES = 1 << 20;
  static final String TOO_LARGE = "the body exceeds " + MAX_BYTES + " bytes (1 MiB)";

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
      throw new ApiException(415, null, "the body must be JSON with Content-Type: application/json, got "
          + (type == null ? "no Content-Type" : "'" + type + "'"));
    }
  }

  /** Reads and parses the body as {@code type}; 413 beyond 1 MiB, 400 for anything malformed. */
  static <T> T read(Context ctx, Class<T> type) {
    T body = Json.read(bytes(ctx), type);
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
    try {
      InputStream in = ctx.req().getInputStream();
      // with a Content-Length, read exactly that (one right-sized buffer); chunked: read up to the limit
      byte[] body = declared >= 0 ? in.readNBytes((int) declared) : in.readNBytes(MAX_BYTES + 1);
      if (declared >= 0 && in.read() != -1) {
        throw new ApiException(400, null, "the body is longer than its Content-Length");
      }
      if (body.length > MAX_BYTES) {
        throw new ApiException(413, null, TOO_LARGE);
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
  }
}
