package dev.coba.sidecar.runs;

/** The durable store failed: nothing was acknowledged, nothing changed in memory. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
