package dev.coba.sidecar.bench;

import dev.coba.core.Report;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives HTTP load at a sidecar: sequential latency of one client, and the throughput of many
 * clients each posting to its own run in a closed loop. Every answer must be 200, or the
 * measurement is refused.
 */
public final class HttpBenchmark {
  private final URI base;
  private final String token;
  private final List<String> tasks;

  public HttpBenchmark(URI base, String token, List<String> tasks) {
    this.base = base;
    this.token = token;
    this.tasks = tasks;
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

  /** One client, {@code warmup} unmeasured then {@code count} measured requests. */
  public LatencySummary sequential(Target target, int warmup, int count) {
    try (LoopbackClient client = new LoopbackClient(base, token)) {
      target.prepare(client);
      long[] nanos = new long[count];
      for (int i = 0; i < warmup + count; i++) {
        byte[] body = target.body(i);
        long t0 = System.nanoTime();
        int status = client.send(target.method(), target.path(), body);
        long dt = System.nanoTime() - t0;
        check(status, target);
        if (i >= warmup) {
          nanos[i - warmup] = dt;
        }
      }
      return LatencySummary.of(nanos);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code targets.size()} clients in a closed loop for {@code warmupMs} then {@code measureMs}; requests per second. */
  public double throughput(List<Target> targets, long warmupMs, long measureMs) {
    AtomicLong done = new AtomicLong();
    AtomicLong deadline = new AtomicLong(Long.MAX_VALUE); // set once every client is connected
    long[] window = new long[2];
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
                  for (long n = 0; System.nanoTime() < deadline.get(); n++) {
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
      long start = System.nanoTime();
      deadline.set(start + (warmupMs + measureMs) * 1_000_000L);
      Thread.sleep(warmupMs);
      window[0] = done.get();
      long t0 = System.nanoTime();
      Thread.sleep(measureMs);
      window[1] = done.get();
      long t1 = System.nanoTime();
      for (Thread t : threads) {
        t.join();
      }
      if (!failures.isEmpty()) {
        throw new IllegalStateException("a client failed: " + failures.get(0), failures.get(0));
      }
      return (window[1] - window[0]) / ((t1 - t0) / 1e9);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void check(int status, Target target) throws IOException {
    if (status != 200) {
      throw new IOException(target.method() + " " + target.path() + " answered " + status);
    }
  }
}
