package dev.coba.sidecar.http;

/**
 * An error the HTTP layer itself decides (no token, wrong content type, body too large, no
 * such step): a status, the offending field or null, and a message for a person.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String field;

  public ApiException(int status, String field, String message) {
    super(message);
    this.status = status;
    this.field = field;
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }
}
