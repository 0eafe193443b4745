package dev.coba.sidecar.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RunConflictException;
import dev.coba.protocol.JsonErrors;
import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.protocol.WireJson;
import dev.coba.sidecar.runs.MemoryBudgetException;
import dev.coba.sidecar.runs.RunNotFoundException;
import dev.coba.sidecar.runs.StoreException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.NotFoundResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure becomes a status and an {@link ErrorBody}, here and nowhere else: 400 for
 * input the core or the JSON reader refuses (naming the field), 401, 404, 405, 409, 413,
 * 415, 503 when the store fails, 507 when the memory budget has no room for the change, and 500
 * for anything else, which is a bug and is logged.
 */
public final class ErrorMapping {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

  /** Longest error message answered: messages echo input, which may be up to 1 MiB. */
  static final int MAX_MESSAGE = 1000;

  /** Longest field path answered (a valid one is far shorter: task names have at most 128 characters). */
  static final int MAX_FIELD = 200;

  private ErrorMapping() {}

  /** A status with its body; the message and the field cut to {@link #MAX_MESSAGE} and {@link #MAX_FIELD}. */
  public record Mapped(int status, ErrorBody body) {
    Mapped(int status, String field, String error) {
      this(status, new ErrorBody(cut(error, MAX_MESSAGE), cut(field, MAX_FIELD), status));
    }
  }

  /** {@code s} up to {@code max} characters and "...", never splitting a surrogate pair. */
  static String cut(String s, int max) {
    return JsonErrors.cut(s, max);
  }

  static void install(Javalin app) {
    // Javalin's own (no route, wrong method, too large) would otherwise get its default handler
    app.exception(HttpResponseException.class, ErrorMapping::handle);
    app.exception(Exception.class, ErrorMapping::handle);
  }

  /** Answers {@code e} as JSON; logs what is not the client's fault (503, 507, 500). */
  static void handle(Exception e, Context ctx) {
    Mapped m = map(e);
    if (m.status() == 503) {
      // one line each: during a full disk every change fails, and the store has logged the
      // cause (with its stack trace) once already
      LOG.warn(
          "store failure on {} {}: {}; nothing was acknowledged",
          ctx.method(),
          ctx.path(),
          e.getMessage());
    } else if (m.status() == 507) {
      LOG.warn("memory budget full, refused {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
    } else if (m.status() >= 500) {
      LOG.error("internal error (a bug) on {} {}", ctx.method(), ctx.path(), e);
    }
    if (m.status() == 401) {
      ctx.header("WWW-Authenticate", "Bearer");
    } else if (e instanceof MethodNotAllowedResponse x) {
      ctx.header("Allow", allowed(x));
    }
    ctx.status(m.status()).contentType(Routes.JSON).result(WireJson.write(m.body()));
  }

  /** The one mapping from exceptions to statuses and bodies. */
  public static Mapped map(Exception e) {
    if (e instanceof InvalidInputException x) {
      return new Mapped(400, x.field(), x.getMessage());
    }
    if (e
        instanceof
        JsonProcessingException x) { // WireJson.read translates these; this is the safety net
      return new Mapped(400, JsonErrors.fieldOf(x), JsonErrors.explain(x, null));
    }
    if (e instanceof ApiException x) {
      return new Mapped(x.status(), x.field(), x.getMessage());
    }
    if (e instanceof RunNotFoundException x) {
      return new Mapped(404, "runId", x.getMessage());
    }
    if (e instanceof RunConflictException x) {
      return new Mapped(409, x.field(), x.getMessage());
    }
    if (e
        instanceof
        MemoryBudgetException x) { // nothing stored: the client may retry once runs were deleted
      return new Mapped(507, x.field(), x.getMessage());
    }
    if (e instanceof StoreException) {
      return new Mapped(503, null, "the durable store failed; nothing was stored, retry later");
    }
    if (e instanceof MethodNotAllowedResponse x) {
      return new Mapped(405, null, "this path does not take that method; it takes " + allowed(x));
    }
    if (e instanceof NotFoundResponse x) {
      return new Mapped(
          404, null, x.getMessage() == null ? "no such route" : "no route: " + x.getMessage());
    }
    if (e instanceof HttpResponseException x && x.getStatus() == 413) {
      return new Mapped(413, null, Bodies.TOO_LARGE);
    }
    if (e instanceof HttpResponseException x && x.getStatus() < 500) {
      return new Mapped(x.getStatus(), null, x.getMessage());
    }
    return new Mapped(500, null, "internal error (a bug): " + e.getClass().getSimpleName());
  }

  private static String allowed(MethodNotAllowedResponse e) {
    return String.join(", ", e.getDetails().values());
  }
}
