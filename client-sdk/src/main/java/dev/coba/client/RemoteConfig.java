package dev.coba.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link CobaClient#remote remote client} reaches the sidecar and how it copes when the
 * sidecar does not answer. Immutable; build with {@link #builder(String, RunDefinition)}.
 *
 * <p>Defaults: a time limit of 2 s per {@code report} (retries and long-polls included), at
 * most 4 attempts per request with exponential backoff from 50 ms (factor 2, jitter 0.5, at
 * most 1 s), a circuit breaker that opens when half of the last 20 attempts (at least 5)
 * failed and tries again after 5 s, and a buffer of 100,000 reports (oldest dropped).
 */
public final class RemoteConfig {
  public static final String DEFAULT_URL = "http://127.0.0.1:8470";
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(2);

  private final URI baseUrl;
  private final @Nullable String token;
  private final RunDefinition run;
  private final Duration callTimeout;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final float failureRateThreshold;
  private final int slidingWindowSize;
  private final int minimumNumberOfCalls;
  private final Duration openDuration;
  private final int bufferCapacity;
  private final ClientListener listener;

  private RemoteConfig(Builder b) {
    this.baseUrl = b.baseUrl;
    this.token = b.token;
    this.run = b.run;
    this.callTimeout = positive(b.callTimeout, "callTimeout");
    if (b.maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1");
    }
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = positive(b.initialBackoff, "initialBackoff");
    this.maxBackoff = positive(b.maxBackoff, "maxBackoff");
    this.failureRateThreshold = b.failureRateThreshold;
    this.slidingWindowSize = b.slidingWindowSize;
    this.minimumNumberOfCalls = b.minimumNumberOfCalls;
    this.openDuration = positive(b.openDuration, "openDuration");
    if (b.bufferCapacity < 1) {
      throw new IllegalArgumentException("bufferCapacity must be >= 1");
    }
    this.bufferCapacity = b.bufferCapacity;
    this.listener = b.listener;
  }

  private static Duration positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
    return d;
  }

  /** The sidecar at {@code baseUrl} (e.g. {@code http://127.0.0.1:8470}), for the run {@code run}. */
  public static Builder builder(String baseUrl, RunDefinition run) {
    return new Builder(URI.create(baseUrl), run);
  }

  /** The sidecar named by {@code COBA_URL} (default {@value #DEFAULT_URL}) and {@code COBA_TOKEN}. */
  public static Builder fromEnvironment(RunDefinition run) {
    String url = System.getenv("COBA_URL");
    Builder b = builder(url == null || url.isBlank() ? DEFAULT_URL : url, run);
    String token = System.getenv("COBA_TOKEN");
    return b.token(token == null || token.isBlank() ? null : token);
  }

  public URI baseUrl() {
    return baseUrl;
  }

  public @Nullable String token() {
    return token;
  }

  public RunDefinition run() {
    return run;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public float failureRateThreshold() {
    return failureRateThreshold;
  }

  public int slidingWindowSize() {
    return slidingWindowSize;
  }

  public int minimumNumberOfCalls() {
    return minimumNumberOfCalls;
  }

  public Duration openDuration() {
    return openDuration;
  }

  public int bufferCapacity() {
    return bufferCapacity;
  }

  public ClientListener listener() {
    return listener;
  }

  public Builder toBuilder() {
    Builder b = new Builder(baseUrl, run);
    b.token = token;
    b.callTimeout = callTimeout;
    b.maxAttempts = maxAttempts;
    b.initialBackoff = initialBackoff;
    b.maxBackoff = maxBackoff;
    b.failureRateThreshold = failureRateThreshold;
    b.slidingWindowSize = slidingWindowSize;
    b.minimumNumberOfCalls = minimumNumberOfCalls;
    b.openDuration = openDuration;
    b.bufferCapacity = bufferCapacity;
    b.listener = listener;
    return b;
  }

  @Override
  public String toString() { // never the token
    return "RemoteConfig["
        + baseUrl
        + ", run="
        + run.runId()
        + ", token="
        + (token == null ? "none" : "set")
        + ", callTimeout="
        + callTimeout
        + ", maxAttempts="
        + maxAttempts
        + ", buffer="
        + bufferCapacity
        + "]";
  }

  /** Mutable builder. */
  public static final class Builder {
    private URI baseUrl;
    private @Nullable String token;
    private RunDefinition run;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(50);
    private Duration maxBackoff = Duration.ofSeconds(1);
    private float failureRateThreshold = 50;
    private int slidingWindowSize = 20;
    private int minimumNumberOfCalls = 5;
    private Duration openDuration = Duration.ofSeconds(5);
    private int bufferCapacity = 100_000;
    private ClientListener listener = ClientListener.none();

    private Builder(URI baseUrl, RunDefinition run) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      this.run = Objects.requireNonNull(run, "run");
    }

    public Builder baseUrl(String url) {
      this.baseUrl = URI.create(url);
      return this;
    }

    /** The bearer token, or null for none. */
    public Builder token(@Nullable String token) {
      this.token = token;
      return this;
    }

    public Builder run(RunDefinition run) {
      this.run = Objects.requireNonNull(run, "run");
      return this;
    }

    /** The most one {@code report} may take, retries and long-polls included. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = timeout;
      return this;
    }

    public Builder maxAttempts(int attempts) {
      this.maxAttempts = attempts;
      return this;
    }

    /** The first backoff; each retry doubles it, with jitter, up to {@link #maxBackoff}. */
    public Builder initialBackoff(Duration backoff) {
      this.initialBackoff = backoff;
      return this;
    }

    public Builder maxBackoff(Duration backoff) {
      this.maxBackoff = backoff;
      return this;
    }

    /** The circuit breaker: opens at this failure rate (percent) over the last {@code window} attempts, at least {@code minimumCalls} of them. */
    public Builder circuitBreaker(float failureRatePercent, int window, int minimumCalls) {
      this.failureRateThreshold = failureRatePercent;
      this.slidingWindowSize = window;
      this.minimumNumberOfCalls = minimumCalls;
      return this;
    }

    /** How long the open breaker answers at once before it lets a request through again. */
    public Builder openDuration(Duration duration) {
      this.openDuration = duration;
      return this;
    }

    /** Reports kept while the sidecar is away; when full, the oldest is dropped ({@link ClientListener#onBufferOverflow}). */
    public Builder bufferCapacity(int capacity) {
      this.bufferCapacity = capacity;
      return this;
    }

    public Builder listener(ClientListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public RemoteConfig build() {
      return new RemoteConfig(this);
    }
  }
}
