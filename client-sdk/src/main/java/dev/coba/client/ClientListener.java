package dev.coba.client;

/**
 * What the remote client went through, for logs and metrics. Every method has an empty
 * default; they are called on the trainer's thread (circuit changes: on whichever thread
 * made the call) and must return quickly.
 */
public interface ClientListener {
  /** {@code report} answered the last known weights because of {@code cause}. */
  default void onFallback(StepReport report, Throwable cause) {}

  /** A request failed with a retryable error and is tried again ({@code attempt} counts from 1). */
  default void onRetry(int attempt, Throwable cause) {}

  /** A report could not be delivered and waits in the buffer ({@code buffered} reports now). */
  default void onBuffered(StepReport report, int buffered) {}

  /** The buffer was full: its oldest report was dropped and will never reach the sidecar. */
  default void onBufferOverflow(StepReport dropped) {}

  /** {@code count} buffered reports were delivered, in order, once the sidecar answered again. */
  default void onBufferReplayed(int count) {}

  /** The circuit breaker went from one state to another ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}). */
  default void onCircuitStateChange(String from, String to) {}

  /** A listener that does nothing. */
  static ClientListener none() {
    return new ClientListener() {};
  }
}
