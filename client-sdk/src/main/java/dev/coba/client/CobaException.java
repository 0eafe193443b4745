package dev.coba.client;

/** Base of the client's unchecked exceptions. */
public class CobaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CobaException(String message) {
    super(message);
  }

  public CobaException(String message, Throwable cause) {
    super(message, cause);
  }
}
