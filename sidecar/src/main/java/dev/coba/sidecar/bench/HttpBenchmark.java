package dev.coba.sidecar.bench;

import dev.coba.core.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Drives HTTP load at a sidecar: sequential latency of one client, and the throughput of many
 * clients each posting to its own run in a closed loop. Every answer must be 200, or the
 * measurement is refused.
 */
public final class HttpBenchmark {
  private final URI base;
  private final String token;
  private final List<String> tasks;

  private Consumer<String> log = line -> {};

  public HttpBenchmark(URI base, String token, List<String> tasks) {
    this.base = base;
    this.token = token;
    this.tasks = tasks;
  }

  /** Where each warm-up round is told (a warm-up can take minutes). */
  public HttpBenchmark logTo(Consumer<String> log) {
    this.log = log;
    return this;
  }

  /** What one client posts: where, and the body of its n-th request. */
  public interface Target {
    /** POST unless said otherwise (a GET sends no body). */
    default String method() {
      return "POST";
    }

    String path();

    byte[] body(long n);

    /** Called once per client before its first request (e.g. to create its run). */
    default void prepare(LoopbackClient client) throws IOException {}
  }

  /** Reports to run {@code runId}: step n carries plausible losses of every task. */
  public Target steps(String runId) {
    List<Report> cycle = SyntheticReports.generate(tasks, 512, runId.hashCode());
    return new Target() {
      @Override
      public String path() {
        return "/v1/runs/" + runId + "/steps";
      }

      @Override
      public byte[] body(long n) {
        Map<String, Double> losses = cycle.get((int) (n % cycle.size())).valLosses();
        StringBuilder sb =
            new StringBuilder(64 + 32 * tasks.size())
                .append("{\"step\":")
                .append(n + 1)
                .append(",\"rank\":0,\"valLosses\":{");
        int i = 0;
        for (Map.Entry<String, Double> e : losses.entrySet()) {
          sb.append(i++ == 0 ? "" : ",")
              .append('"')
              .append(e.getKey())
              .append("\":")
              .append(e.getValue());
        }
        return sb.append("}}").toString().getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public void prepare(LoopbackClient client) throws IOException {
        StringBuilder sb =
            new StringBuilder("{\"runId\":\"")
                .append(runId)
                .append(
                    "\",\"method\":\"coba\",\"params\":{\"warmupSteps\":20,\"historyLength\":200},\"tasks\":[");
        for (int i = 0; i < tasks.size(); i++) {
          sb.append(i == 0 ? "" : ",").append('"').append(tasks.get(i)).append('"');
        }
        int status =
            client.send(
                "POST", "/v1/runs", sb.append("]}").toString().getBytes(StandardCharsets.UTF_8));
        if (status != 201 && status != 200) {
          throw new IOException("creating run " + runId + " answered " + status);
        }
      }
    };
  }

  /** A fixed body to a fixed path (the trivial route). */
  public static Target fixed(String path, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return new Target() {
      @Override
      public String path() {
        return path;
      }

      @Override
      public byte[] body(long n) {
        return bytes;
      }
    };
  }

  /** {@code GET path}, e.g. {@code /healthz}: the trivial route of a sidecar measured from outside. */
  public static Target get(String path) {
    return new Target() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public byte[] body(long n) {
        return null;
      }
    };
  }

  /** A measured figure, and how its warm-up went: how long it took, and whether it reached a plateau. */
  public record Measured<T>(T value, long warmupMs, boolean steady) {}

  /** Requests per round of the sequential warm-up: enough for a stable median. */
  static final int ROUND_REQUESTS = 2_000;

  /** Length of a round of the concurrent warm-up. */
  static final long ROUND_MS = 5_000;

  /**
   * One client: at least {@code leastWarmup} unmeasured requests, more in rounds until the
   * rounds' medians reach a plateau (or {@code warmup}'s most has passed), then {@code count}
   * measured requests.
   */
  public Measured<LatencySummary> sequential(
      Target target, int leastWarmup, Warmup warmup, int count) {
    try (LoopbackClient client = new LoopbackClient(base, token)) {
      target.prepare(client);
      Warmup.Progress progress = warmup.start();
      long[] round = new long[ROUND_REQUESTS];
      long n = 0;
      // the least is counted in requests here, so warmup's own least is 0
      while (n < leastWarmup || !progress.done()) {
        round[(int) (n % ROUND_REQUESTS)] = timed(client, target, n);
        n++;
        if (n % ROUND_REQUESTS == 0) {
          double median = LatencySummary.of(round).medianUs();
          progress.round(median);
          log.accept(
              String.format(
                  Locale.ROOT,
                  "warm-up %s, one client, %.0f s: median %.0f µs",
                  target.path(),
                  progress.elapsedMs() / 1e3,
                  median));
        }
      }
      long warmupMs = progress.elapsedMs();
      long[] nanos = new long[count];
      for (int i = 0; i < count; i++) {
        nanos[i] = timed(client, target, n + i);
      }
      return new Measured<>(LatencySummary.of(nanos), warmupMs, progress.steady());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long timed(LoopbackClient client, Target target, long n) throws IOException {
    byte[] body = target.body(n);
    long t0 = System.nanoTime();
    int status = client.send(target.method(), target.path(), body);
    long dt = System.nanoTime() - t0;
    check(status, target);
    return dt;
  }

  /**
   * {@code targets.size()} clients in a closed loop: warmed up in rounds of {@link #ROUND_MS}
   * until their rates reach a plateau (see {@link Warmup}), then measured for {@code
   * measureMs}; requests per second.
   */
  public Measured<Double> throughput(List<Target> targets, Warmup warmup, long measureMs) {
    AtomicLong done = new AtomicLong();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch ready = new CountDownLatch(targets.size());
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (Target target : targets) {
      Thread t =
          new Thread(
              () -> {
                try (LoopbackClient client = new LoopbackClient(base, token)) {
                  target.prepare(client);
                  ready.countDown();
                  ready.await();
                  for (long n = 0; !stop.get(); n++) {
                    check(client.send(target.method(), target.path(), target.body(n)), target);
                    done.incrementAndGet();
                  }
                } catch (Throwable e) {
                  failures.add(e);
                  ready.countDown();
                }
              });
      threads.add(t);
    }
    threads.forEach(Thread::start);
    try {
      ready.await();
      Warmup.Progress progress = warmup.start();
      while (!progress.done() && failures.isEmpty()) {
        // the last round is cut short rather than run past the most
        long roundMs = Math.max(1, Math.min(ROUND_MS, warmup.mostMs() - progress.elapsedMs()));
        double rate = rate(done, roundMs);
        progress.round(rate);
        log.accept(
            String.format(
                Locale.ROOT,
                "warm-up %s, %d clients, %.0f s: %.0f requests/s",
                targets.get(0).path(),
                targets.size(),
                progress.elapsedMs() / 1e3,
                rate));
      }
      long warmupMs = progress.elapsedMs();
      double rate = failures.isEmpty() ? rate(done, measureMs) : 0;
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("a client failed: " + failures.get(0), failures.get(0));
      }
      return new Measured<>(rate, warmupMs, progress.steady());
    } catch (InterruptedException e) {
      stop.set(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Requests per second completed during the next {@code ms}. */
  private static double rate(AtomicLong done, long ms) throws InterruptedException {
    long n0 = done.get();
    long t0 = System.nanoTime();
    Thread.sleep(ms);
    long n1 = done.get();
    return (n1 - n0) / ((System.nanoTime() - t0) / 1e9);
  }

  private static void check(int status, Target target) throws IOException {
    if (status != 200) {
      throw new IOException(target.method() + " " + target.path() + " answered " + status);
    }
  }
}
