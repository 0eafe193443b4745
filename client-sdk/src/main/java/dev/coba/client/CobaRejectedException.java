package dev.coba.client;

import org.jspecify.annotations.Nullable;

/**
 * The balancer refused a request as wrong (HTTP 4xx from the sidecar, or the same check in
 * process): a malformed report, an unknown task, another body for a step already reported, a
 * bad token. Never retried and never buffered: fix the caller. {@link #field()} names the
 * offending field where there is one (e.g. {@code valLosses.python}).
 */
public final class CobaRejectedException extends CobaException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final @Nullable String field;

  public CobaRejectedException(int status, @Nullable String field, String message) {
    super(status + (field == null ? "" : " " + field) + ": " + message);
    this.status = status;
    this.field = field;
  }

  /** The HTTP status (400 malformed, 401 token, 404 unknown run, 409 conflict, ...). */
  public int status() {
    return status;
  }

  /** The offending field as a path, or null. */
  public @Nullable String field() {
    return field;
  }
}
