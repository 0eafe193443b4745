package dev.coba.client;

import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.protocol.Wire.HistoryBody;
import dev.coba.protocol.Wire.RewindBody;
import dev.coba.protocol.Wire.RunBody;
import dev.coba.protocol.Wire.RunCreateBody;
import dev.coba.protocol.Wire.RunStateBody;
import dev.coba.protocol.Wire.StepReportBody;
import dev.coba.protocol.Wire.StepWeightsBody;
import dev.coba.protocol.WireJson;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The sidecar over HTTP (protocol v1), made safe for a training loop.
 *
 * <p>Every {@link #report} has one deadline, {@link RemoteConfig#callTimeout()}: each HTTP
 * attempt runs under a resilience4j {@link TimeLimiter} set to the time left, a {@link Retry}
 * tries again on connection errors, timeouts, 5xx and 429 with exponential backoff and jitter
 * (capped to the time left; never on 4xx), and a {@link CircuitBreaker} answers at once while
 * the sidecar keeps failing. When the deadline passes, the report stays in a bounded buffer
 * and the call answers the last weights. The next call first replays the buffer in order (the
 * protocol answers a repeated report the same, so a report that did land is harmless) and then
 * sends its own. A 4xx answer is thrown at once as {@link CobaRejectedException}, and the
 * refused report leaves the buffer. Calls are serialised (one client per rank).
 */
public final class RemoteCobaClient implements CobaClient {
  private static final long MARGIN_NANOS = Duration.ofMillis(30).toNanos();

  static {
    // the protocol's readers and writers, built before any call's time limit starts
    WireJson.prepare(
        RunCreateBody.class,
        StepReportBody.class,
        RewindBody.class,
        RunBody.class,
        StepWeightsBody.class,
        HistoryBody.class,
        RunStateBody.class,
        ErrorBody.class);
  }

  private final RemoteConfig config;
  private final ClientListener listener;
  private final HttpClient http;
  private final CircuitBreaker breaker;
  private final Retry retry;
  private final IntervalFunction backoff;
  private final ArrayDeque<StepReport> buffer = new ArrayDeque<>();
  private final String runPath;
  private volatile long deadline;
  private boolean created;
  private Weights last;

  RemoteCobaClient(RemoteConfig config) {
    this.config = config;
    this.listener = config.listener();
    this.runPath = "/v1/runs/" + config.run().runId();
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.callTimeout())
            .build();
    this.breaker =
        CircuitBreaker.of(
            "coba-" + config.run().runId(),
            CircuitBreakerConfig.custom()
                .failureRateThreshold(config.failureRateThreshold())
                .slidingWindowSize(config.slidingWindowSize())
                .minimumNumberOfCalls(config.minimumNumberOfCalls())
                .waitDurationInOpenState(config.openDuration())
                .permittedNumberOfCallsInHalfOpenState(1)
                .build());
    breaker
        .getEventPublisher()
        .onStateTransition(
            e ->
                listener.onCircuitStateChange(
                    e.getStateTransition().getFromState().name(),
                    e.getStateTransition().getToState().name()));
    this.backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            config.initialBackoff(), 2.0, 0.5, config.maxBackoff());
    this.retry =
        Retry.of(
            "coba-" + config.run().runId(),
            RetryConfig.<Response>custom()
                .maxAttempts(config.maxAttempts())
                .intervalBiFunction(
                    (attempt, outcome) ->
                        Math.max(0, Math.min(backoff.apply(attempt), leftMillis() - 1)))
                .retryOnException(
                    e ->
                        (e instanceof Transport || e instanceof TransientStatus)
                            && leftMillis() > 1)
                .failAfterMaxAttempts(false)
                .build());
    retry
        .getEventPublisher()
        .onRetry(e -> listener.onRetry(e.getNumberOfRetryAttempts(), e.getLastThrowable()));
    this.last = Weights.uniform(config.run().tasks(), objectiveOf(config.run()));
    try {
      synchronized (this) {
        ensureCreated(System.nanoTime() + config.callTimeout().toNanos());
      }
    } catch (Unavailable e) {
      // the sidecar is not up yet: the first report creates the run
    }
  }

  /** The objective the method will have, for the uniform weights before the sidecar answers. */
  private static Objective objectiveOf(RunDefinition d) {
    try {
      return InProcessCobaClient.objective(
          dev.coba.core.run.Run.create(InProcessCobaClient.spec(d), 1).objective());
    } catch (RuntimeException e) {
      return Objective.LINEAR; // the sidecar will say what is wrong
    }
  }

  @Override
  public RunDefinition definition() {
    return config.run();
  }

  @Override
  public synchronized Weights report(StepReport report) {
    long end = System.nanoTime() + config.callTimeout().toNanos();
    if (buffer.size() >= config.bufferCapacity()) {
      listener.onBufferOverflow(buffer.pollFirst());
    }
    buffer.addLast(report);
    try {
      Weights answer = drain(end, true);
      if (answer == null) {
        listener.onFallback(
            report,
            new CobaException(
                "step "
                    + report.step()
                    + " still waits for other ranks after "
                    + config.callTimeout().toMillis()
                    + " ms"));
        return last.asFallback();
      }
      return answer;
    } catch (Unavailable e) {
      if (!buffer.isEmpty()) {
        listener.onBuffered(report, buffer.size());
      }
      listener.onFallback(report, e.getCause() == null ? e : e.getCause());
      return last.asFallback();
    }
  }

  @Override
  public synchronized Weights weights() {
    return last;
  }

  @Override
  public synchronized RunInfo run() {
    long end = System.nanoTime() + config.callTimeout().toNanos();
    try {
      ensureCreated(end);
      RunInfo info =
          WireBodies.runInfo(WireBodies.answer(ok(send("GET", runPath, null, end)), RunBody.class));
      remember(info.weights());
      return info;
    } catch (Unavailable e) {
      throw unavailable("GET " + runPath, e);
    }
  }

  @Override
  public synchronized List<StepRecord> history(long from, long to) {
    long end = System.nanoTime() + config.callTimeout().toNanos();
    String path = runPath + "/history?from=" + from + "&to=" + to;
    try {
      ensureCreated(end);
      return WireBodies.history(
          WireBodies.answer(ok(send("GET", path, null, end)), HistoryBody.class));
    } catch (Unavailable e) {
      throw unavailable("GET " + path, e);
    }
  }

  @Override
  public synchronized String exportState() {
    long end = System.nanoTime() + config.callTimeout().toNanos();
    try {
      drain(end, false);
      String state = ok(send("GET", runPath + "/state", null, end));
      WireBodies.answer(
          state, RunStateBody.class); // a RunState, or an error now rather than at restore
      return state;
    } catch (Unavailable e) {
      throw unavailable("export the state (" + buffer.size() + " reports not delivered yet)", e);
    }
  }

  @Override
  public synchronized void restore(String stateJson) {
    long end = System.nanoTime() + config.callTimeout().toNanos();
    // refuse before any I/O what the sidecar would refuse as a RunState document
    InProcessCobaClient.rejecting(
        () -> WireJson.read(stateJson, RunStateBody.class).toState(config.run().runId()));
    try {
      RunInfo info =
          WireBodies.runInfo(
              WireBodies.answer(
                  ok(send("PUT", runPath + "/state", stateJson, end)), RunBody.class));
      buffer.clear();
      created = true;
      last = info.weights();
    } catch (Unavailable e) {
      throw unavailable("PUT " + runPath + "/state", e);
    }
  }

  @Override
  public synchronized void rewind(long step) {
    long end = System.nanoTime() + config.callTimeout().toNanos();
    buffer.removeIf(r -> r.step() > step); // the steps after the checkpoint will be trained again
    try {
      drain(end, false);
      String body = WireJson.writeString(new RewindBody(step));
      RunInfo info =
          WireBodies.runInfo(
              WireBodies.answer(ok(send("POST", runPath + "/rewind", body, end)), RunBody.class));
      last = info.weights();
    } catch (Unavailable e) {
      throw unavailable("rewind to step " + step, e);
    }
  }

  @Override
  public synchronized int bufferedReports() {
    return buffer.size();
  }

  @Override
  public synchronized boolean flush() {
    try {
      drain(System.nanoTime() + config.callTimeout().toNanos(), false);
    } catch (Unavailable e) {
      return false;
    }
    return buffer.isEmpty();
  }

  /** The circuit breaker's state: CLOSED, OPEN or HALF_OPEN. */
  public String circuitState() {
    return breaker.getState().name();
  }

  @Override
  public void close() {
    // java.net.http.HttpClient of Java 17 has nothing to close; its threads are daemons
  }

  // ------------------------------------------------------------------------ internals

  /**
   * Delivers the buffer in order. With {@code lastIsCurrent}, the buffer's last report is the
   * one being reported: a 202 for it long-polls for the weights, and its weights are returned
   * (null: none in time).
   */
  private @Nullable Weights drain(long end, boolean lastIsCurrent) {
    if (buffer.isEmpty()) {
      return null;
    }
    ensureCreated(end);
    int replayed = 0;
    Weights answer = null;
    try {
      while (!buffer.isEmpty()) {
        StepReport head = buffer.peekFirst();
        boolean current = lastIsCurrent && buffer.size() == 1;
        Response r =
            send(
                "POST", runPath + "/steps", WireJson.writeString(WireBodies.stepReport(head)), end);
        if (r.status() >= 400) {
          buffer.pollFirst(); // refused: retrying cannot help, never buffered
          throw WireBodies.rejected(r.status(), r.body());
        }
        buffer.pollFirst();
        Weights w = complete(r);
        if (w == null && current) {
          w = longPoll(head.step(), end);
        }
        if (w != null) {
          remember(w);
        }
        if (current) {
          answer = w;
        } else {
          replayed++;
        }
      }
    } finally {
      if (replayed > 0) {
        listener.onBufferReplayed(replayed);
      }
    }
    return answer;
  }

  /** GET .../weights?step=&waitMs= until the step completes or the deadline is near; null if not in time. */
  private @Nullable Weights longPoll(long step, long end) {
    while (true) {
      long waitMs = Duration.ofNanos(end - System.nanoTime() - 2 * MARGIN_NANOS).toMillis();
      if (waitMs <= 0) {
        return null;
      }
      Response r =
          send(
              "GET",
              runPath + "/weights?step=" + step + "&waitMs=" + Math.min(waitMs, 60_000),
              null,
              end);
      if (r.status() >= 400) {
        throw WireBodies.rejected(r.status(), r.body());
      }
      Weights w = complete(r);
      if (w != null) {
        return w;
      }
    }
  }

  private void ensureCreated(long end) {
    if (created) {
      return;
    }
    Response r =
        send("POST", "/v1/runs", WireJson.writeString(WireBodies.runCreate(config.run())), end);
    RunInfo info = WireBodies.runInfo(WireBodies.answer(ok(r), RunBody.class));
    created = true;
    remember(info.weights());
  }

  private void remember(Weights w) {
    Long step = w.step();
    Long had = last.step();
    if (had == null || (step != null && step >= had)) {
      last = w;
    }
  }

  /** The body of a 2xx answer; a 4xx is thrown as {@link CobaRejectedException}. */
  private static String ok(Response r) {
    if (r.status() >= 400) {
      throw WireBodies.rejected(r.status(), r.body());
    }
    return r.body();
  }

  /** The weights of a 200 ({@code StepWeights}); null for a 202 ({@code StepPending}: the step waits for ranks). */
  private static @Nullable Weights complete(Response r) {
    return r.status() == 200
        ? WireBodies.weights(WireBodies.answer(r.body(), StepWeightsBody.class))
        : null;
  }

  private long leftMillis() {
    return Duration.ofNanos(deadline - System.nanoTime() - MARGIN_NANOS).toMillis();
  }

  /**
   * One request under the deadline: time-limited attempts through the breaker, retried on
   * transient failures. Answers 2xx and 4xx; throws {@link Unavailable} for everything else.
   */
  private Response send(String method, String path, @Nullable String body, long end) {
    deadline = end;
    URI uri = config.baseUrl().resolve(path);
    try {
      return retry.executeSupplier(() -> attempt(method, uri, body));
    } catch (Unavailable e) {
      throw e;
    } catch (Transport | TransientStatus | CallNotPermittedException e) {
      throw new Unavailable(method + " " + path + ": " + e.getMessage(), e);
    }
  }

  private Response attempt(String method, URI uri, @Nullable String body) {
    long left = deadline - System.nanoTime() - MARGIN_NANOS;
    if (left <= 0) {
      throw new Unavailable(
          "the time limit of " + config.callTimeout().toMillis() + " ms passed", null);
    }
    Duration timeout = Duration.ofNanos(left);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    if (config.token() != null) {
      b.header("Authorization", "Bearer " + config.token());
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpRequest request = b.build();
    TimeLimiter limiter =
        TimeLimiter.of(
            TimeLimiterConfig.custom().timeoutDuration(timeout).cancelRunningFuture(true).build());
    try {
      return breaker.executeCallable(
          () -> {
            HttpResponse<String> r;
            try {
              r =
                  limiter.executeFutureSupplier(
                      () -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            } catch (TimeoutException | ExecutionException | IOException e) {
              throw new Transport(e);
            }
            if (r.statusCode() >= 500 || r.statusCode() == 429) {
              throw new TransientStatus(r.statusCode(), r.body());
            }
            return new Response(r.statusCode(), r.body());
          });
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unavailable("interrupted", e);
    } catch (Exception e) {
      throw new Transport(e);
    }
  }

  private static CobaUnavailableException unavailable(String what, Unavailable e) {
    return new CobaUnavailableException(
        "the sidecar did not answer in time: " + what + " (" + e.getMessage() + ")",
        e.getCause() == null ? e : e.getCause());
  }

  private record Response(int status, String body) {}

  /** Connection refused, reset, timed out: retryable. */
  private static final class Transport extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Transport(Throwable cause) {
      super(
          cause instanceof ExecutionException && cause.getCause() != null
              ? cause.getCause()
              : cause);
    }

    @Override
    public String getMessage() {
      Throwable c = getCause();
      return c == null
          ? "transport error"
          : c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }
  }

  /** 5xx or 429: retryable. */
  private static final class TransientStatus extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TransientStatus(int status, String body) {
      super("HTTP " + status + (body.isEmpty() ? "" : ": " + body));
    }
  }

  /** The sidecar could not be had in time: the caller falls back. */
  private static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
