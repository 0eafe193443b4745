package dev.coba.sidecar.http;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RunSpec;
import dev.coba.protocol.RunIds;
import io.javalin.http.Context;

/** Path and query parameters, checked: a bad one is a 400 naming it. */
final class Query {
  private Query() {}

  /** The {@code {runId}} of the path, matching {@link RunSpec#RUN_ID}. */
  static String runId(Context ctx) {
    return checkRunId(ctx.pathParam("runId"));
  }

  /** A run id of a path or a body, checked as the protocol says ({@link RunIds#check}). */
  static String checkRunId(String id) {
    return RunIds.check(id);
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
      throw new InvalidInputException(
          name, name + " must be an integer, got '" + abbreviate(text) + "'");
    }
    if (value < min || value > max) {
      throw new InvalidInputException(
          name, name + " must be in [" + min + ", " + max + "], got " + value);
    }
    return value;
  }

  /** A run id used as a cursor ({@code after}); null when absent. */
  static String cursor(Context ctx, String name) {
    String text = ctx.queryParam(name);
    if (text != null && !RunSpec.RUN_ID.matcher(text).matches()) {
      throw new InvalidInputException(
          name,
          name
              + " must be a runId (the 'next' of the previous page), got '"
              + abbreviate(text)
              + "'");
    }
    return text;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
