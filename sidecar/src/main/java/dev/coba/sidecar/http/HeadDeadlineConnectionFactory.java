package dev.coba.sidecar.http;

import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.protocol.WireJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpChannelOverHttp;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * HTTP/1.1 connections whose requests must arrive in time: from a request's first byte (or
 * the connection's opening) to the moment it reaches a worker thread, at most the header
 * timeout; then the connection is answered 408 and closed. Jetty has no such limit: its idle
 * timeout restarts at every byte, so a client sending a header byte every 5 s held the
 * connection forever. Costs one scheduler task per request, no thread.
 *
 * <p>Because Jetty hands a request with a body to a worker only once the first body bytes
 * are in (delayed dispatch), the deadline also covers a body that never starts; a body that
 * starts and stalls is {@link Bodies}' to time out.
 */
final class HeadDeadlineConnectionFactory extends HttpConnectionFactory {
  private final long timeoutMs;

  HeadDeadlineConnectionFactory(HttpConfiguration config, Duration timeout) {
    super(config);
    this.timeoutMs = timeout.toMillis();
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    HttpConnection c =
        new DeadlineConnection(
            getHttpConfiguration(),
            connector,
            endPoint,
            isRecordHttpComplianceViolations(),
            timeoutMs);
    c.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
    c.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
    return configure(c, connector, endPoint);
  }

  /** What a connection whose request came too slowly is answered before it is closed. */
  static byte[] timeoutAnswer(long timeoutMs) {
    byte[] body =
        WireJson.write(
            new ErrorBody("the request did not arrive within " + timeoutMs + " ms", null, 408));
    String head =
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: "
            + Routes.JSON
            + "\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    byte[] head8 = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head8.length + body.length];
    System.arraycopy(head8, 0, all, 0, head8.length);
    System.arraycopy(body, 0, all, head8.length, body.length);
    return all;
  }

  private static final class DeadlineConnection extends HttpConnection {
    private final long timeoutMs;

    /** The pending deadline of the request arriving now; null while none arrives or one is being handled. */
    private final AtomicReference<Scheduler.Task> deadline = new AtomicReference<>();

    DeadlineConnection(
        HttpConfiguration config,
        Connector connector,
        EndPoint endPoint,
        boolean recordViolations,
        long timeoutMs) {
      super(config, connector, endPoint, recordViolations);
      this.timeoutMs = timeoutMs;
    }

    @Override
    protected HttpChannelOverHttp
        newHttpChannel() { // called by the super constructor: uses no field yet
      return new HttpChannelOverHttp(
          this, getConnector(), getHttpConfiguration(), getEndPoint(), this) {
        @Override
        public boolean handle() {
          disarm(); // the request reached a worker: it arrived in time
          return super.handle();
        }
      };
    }

    /**
     * Armed before the connection opens: opening it asks for its first bytes, which another
     * thread may then read and hand to a worker before this one returns; armed after, the
     * deadline of a request already handled was never disarmed and cut it at the timeout.
     */
    @Override
    public void onOpen() {
      arm();
      super.onOpen();
    }

    /** Bytes arrived: of a request not yet handed to a worker while the channel is idle (else of a body being read). */
    @Override
    public void onFillable() {
      if (getHttpChannel().getState().isIdle()) {
        arm();
      }
      super.onFillable();
    }

    @Override
    public void onClose(Throwable cause) {
      disarm();
      super.onClose(cause);
    }

    private void arm() {
      if (deadline.get() != null || !getEndPoint().isOpen()) {
        return; // the deadline runs from the request's first byte: later bytes do not extend it
      }
      Scheduler.Task task =
          getConnector().getScheduler().schedule(this::expire, timeoutMs, TimeUnit.MILLISECONDS);
      if (!deadline.compareAndSet(null, task)) {
        task.cancel();
      }
    }

    private void disarm() {
      Scheduler.Task task = deadline.getAndSet(null);
      if (task != null) {
        task.cancel();
      }
    }

    private void expire() {
      if (deadline.getAndSet(null) == null) {
        return; // handled meanwhile
      }
      EndPoint endPoint = getEndPoint();
      try {
        endPoint.write(
            Callback.from(endPoint::close, x -> endPoint.close()),
            ByteBuffer.wrap(timeoutAnswer(timeoutMs)));
      } catch (RuntimeException e) { // a write pending or the endpoint closing: just close
        endPoint.close();
      }
    }
  }
}
