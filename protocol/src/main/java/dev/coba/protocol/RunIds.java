package dev.coba.protocol;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RunSpec;

/** The {@code RunId} schema of openapi.yaml, checked (in a path or a body). */
public final class RunIds {
  private RunIds() {}

  /**
   * A run id of a path or a body: matches {@link RunSpec#RUN_ID} and is not {@code .} or
   * {@code ..}, which clients and proxies rewrite as path segments ({@code /v1/runs/./steps}
   * becomes {@code /v1/runs/steps}), so the run could never be reached. (RunSpec itself still
   * reads them, so that a journal written before this check replays.)
   *
   * @throws InvalidInputException with field {@code runId}
   */
  public static String check(String id) {
    if (!matches(id)) {
      throw new InvalidInputException(
          "runId", "runId must match [A-Za-z0-9._-]{1,128}, got '" + abbreviate(id) + "'");
    }
    if (id.equals(".") || id.equals("..")) {
      throw new InvalidInputException(
          "runId", "runId must not be '.' or '..' (URLs rewrite them as path segments)");
    }
    return id;
  }

  /** {@link RunSpec#RUN_ID} without a regex engine: every request checks its run id. */
  static boolean matches(String id) {
    if (id.isEmpty() || id.length() > 128) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
