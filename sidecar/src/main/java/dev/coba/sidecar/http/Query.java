package dev.coba.sidecar.http;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RunSpec;
import io.javalin.http.Context;

/** Path and query parameters, checked: a bad one is a 400 naming it. */
final class Query {
  private Query() {}

  /** The {@code {runId}} of the path, matching {@link RunSpec#RUN_ID}. */
  static String runId(Context ctx) {
    return checkRunId(ctx.pathParam("runId"));
  }

  /**
   * A run id of a path or a body: matches {@link RunSpec#RUN_ID} and is not {@code .} or
   * {@code ..}, which clients and proxies rewrite as path segments ({@code /v1/runs/./steps}
   * becomes {@code /v1/runs/steps}), so the run could never be reached. (RunSpec itself still
   * reads them, so that a journal written before this check replays.)
   */
  static String checkRunId(String id) {
    if (!matchesRunId(id)) {
      throw new InvalidInputException("runId", "runId must match [A-Za-z0-9._-]{1,128}, got '" + abbreviate(id) + "'");
    }
    if (id.equals(".") || id.equals("..")) {
      throw new InvalidInputException("runId", "runId must not be '.' or '..' (URLs rewrite them as path segments)");
    }
    return id;
  }

  /** {@link RunSpec#RUN_ID} without a regex engine: every request checks its run id. */
  static boolean matchesRunId(String id) {
    if (id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** An integer query parameter in [min, max]; {@code fallback} when absent (may be null). */
  static Long integer(Context ctx, String name, long min, long max, Long fallback) {
    String text = ctx.queryParam(name);
    if (text == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new InvalidInputException(name, name + " must be an integer, got '" + abbreviate(text) + "'");
    }
    if (value < min || value > max) {
      throw new InvalidInputException(name, name + " must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /** A run id used as a cursor ({@code after}); null when absent. */
  static String cursor(Context ctx, String name) {
    String text = ctx.queryParam(name);
    if (text != null && !RunSpec.RUN_ID.matcher(text).matches()) {
      throw new InvalidInputException(name, name + " must be a runId (the 'next' of the previous page), got '"
          + abbreviate(text) + "'");
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
