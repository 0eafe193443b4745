package dev.coba.sidecar.http;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.HttpChannel;

/**
 * Reads a request body on a worker thread within a deadline. Jetty's blocking read waits up to
 * the connection's idle timeout, which restarts at every byte: a body sent a byte every 5 s
 * held the worker for good, one that stalled held it 90 s and ended in a 500. Here the idle
 * timeout is lowered, before each read, to the time left, and put back when done; a read that
 * times out, or a deadline passed between reads, is {@link #timedOut}.
 *
 * <p>After a timeout the connection is closed once the 408 is out: Jetty would otherwise only
 * half-close it and wait, up to the idle timeout, for the client to close its side, and a
 * client that stalls its body does not; the connection would count against the cap.
 */
final class TimedRead implements AutoCloseable {
  /** How long a timed-out client has to read its 408 before the connection is closed. */
  static final long LINGER_MS = 1_000;

  private final HttpChannel channel;
  private final long idleBefore;
  private final long deadline;
  private boolean expired;

  TimedRead(HttpChannel channel, Duration timeout) {
    this.channel = channel;
    this.idleBefore = channel.getIdleTimeout();
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  /** Up to {@code max} bytes, fewer only at the end of the body. */
  byte[] bytes(InputStream in, int max) throws IOException {
    byte[] buffer = new byte[Math.min(max, 8192)];
    int size = 0;
    while (size < max) {
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        expired = true;
        throw new IOException(new TimeoutException("body deadline passed"));
      }
      if (size == buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(max, 2L * buffer.length));
      }
      if (in.available()
          == 0) { // a read would block: bound it (usually the body came with the head, and this is
        // skipped)
        channel.setIdleTimeout(Math.min(leftMs, idleBefore > 0 ? idleBefore : leftMs));
      }
      int n = in.read(buffer, size, buffer.length - size);
      if (n < 0) {
        break;
      }
      size += n;
    }
    return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
  }

  /** Whether {@code e} is this read running out of time (its own deadline or Jetty's idle timeout). */
  boolean timedOut(IOException e) {
    for (Throwable t = e; t != null && !expired; t = t.getCause()) {
      expired = t instanceof TimeoutException;
    }
    return expired;
  }

  /**
   * Puts the connection's idle timeout back (the next request and long-polls rely on it), or,
   * after a timeout, shortens it so that the half-closed connection goes soon after the 408.
   */
  @Override
  public void close() {
    long wanted = expired ? Math.min(idleBefore, LINGER_MS) : idleBefore;
    if (channel.getIdleTimeout() != wanted) {
      channel.setIdleTimeout(wanted);
    }
  }
}
