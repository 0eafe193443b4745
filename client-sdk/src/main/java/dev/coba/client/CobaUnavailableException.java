package dev.coba.client;

/**
 * The sidecar could not be reached within the time limit for a call that cannot fall back
 * ({@link CobaClient#run()}, {@link CobaClient#exportState()}, {@link CobaClient#restore},
 * {@link CobaClient#rewind}). {@link CobaClient#report} never throws this: it falls back.
 */
public final class CobaUnavailableException extends CobaException {
  private static final long serialVersionUID = 1L;

  public CobaUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
