package dev.coba.sidecar.http;

import dev.coba.core.run.StepOutcome;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.sidecar.runs.RunView;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /metrics} in Prometheus text. Label values come only from bounded sets: the route
 * templates (anything else is {@code unmatched}), HTTP methods and statuses, and per run
 * the run id and task names, the latter capped at {@link #MAX_WEIGHT_SERIES} series:
 * <ul>
 *   <li>{@code coba_http_requests_total{method,route,status}} and
 *       {@code coba_http_request_duration_seconds{method,route,status}} (a histogram);
 *   <li>{@code coba_runs}: runs held;
 *   <li>{@code coba_memory_budget_bytes} and {@code coba_memory_used_bytes}: the memory budget and what
 *       the runs are estimated to hold (507 once a change would pass the budget);
 *   <li>{@code coba_long_polls}: long-polls waiting now (each holds a connection, no thread);
 *   <li>{@code coba_reports_total{outcome="complete"|"pending"}}: step reports answered (retries included);
 *   <li>{@code coba_run_weight{run,task}}: each run's current weights, read at scrape time, for whole
 *       runs in id order up to {@link #MAX_WEIGHT_SERIES} (run, task) pairs in all;
 *       {@code coba_run_weight_series_dropped} tells how many pairs were left out;
 *   <li>{@code coba_run_step{run}}: the last completed step of the same runs (none before their first step);
 *   <li>JVM memory, threads and CPU.
 * </ul>
 */
final class Metrics {
  /** The most (run, task) series of {@code coba_run_weight}: Prometheus stays comfortable far beyond. */
  static final int MAX_WEIGHT_SERIES = 1_000;

  static final String UNMATCHED = "unmatched";
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(2),
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(250),
    Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30)
  };

  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RunRegistry runs;
  private volatile Set<String> routes = Set.of();
  private final AtomicLong dropped = new AtomicLong();

  /** By method, route and status: a bounded set, since routes are templates. */
  private final Map<String, RequestMeters> requestMeters = new ConcurrentHashMap<>();

  private final Counter complete;
  private final Counter pending;

  private record RequestMeters(Counter count, Timer latency) {}

  Metrics(RunRegistry runs) {
    this.runs = runs;
    Gauge.builder("coba.runs", runs, RunRegistry::size)
        .description("runs held")
        .register(prometheus);
    Gauge.builder("coba.memory.budget", runs, r -> r.budget().limit())
        .baseUnit("bytes")
        .description("the memory budget of the runs (--memory-budget)")
        .register(prometheus);
    Gauge.builder("coba.memory.used", runs, r -> r.budget().used())
        .baseUnit("bytes")
        .description("what the runs are estimated to hold, charged to the budget")
        .register(prometheus);
    Gauge.builder("coba.long.polls", runs, RunRegistry::waitingPolls)
        .description("long-polls waiting for a step now")
        .register(prometheus);
    Gauge.builder("coba.run.weight.series.dropped", dropped, AtomicLong::get)
        .description(
            "(run, task) pairs left out of coba_run_weight at the last scrape (cap "
                + MAX_WEIGHT_SERIES
                + ")")
        .register(prometheus);
    complete = reports("complete");
    pending = reports("pending");
    new JvmMemoryMetrics().bindTo(prometheus);
    new JvmThreadMetrics().bindTo(prometheus);
    new ProcessorMetrics().bindTo(prometheus);
  }

  /** The route templates to tag requests with; any other path is {@value #UNMATCHED}. */
  void routes(Set<String> templates) {
    this.routes = Set.copyOf(templates);
  }

  private Counter reports(String outcome) {
    return Counter.builder("coba.reports")
        .tag("outcome", outcome)
        .description("step reports answered, retries included")
        .register(prometheus);
  }

  /** Javalin's request logger: called once per request after the response is written. */
  void request(Context ctx, Float ms) {
    String method = ctx.method().name();
    String route = route(ctx);
    int status = ctx.statusCode();
    RequestMeters m =
        requestMeters.computeIfAbsent(
            method + ' ' + route + ' ' + status,
            k -> {
              Tags tags =
                  Tags.of("method", method, "route", route, "status", Integer.toString(status));
              return new RequestMeters(
                  Counter.builder("coba.http.requests")
                      .tags(tags)
                      .description("HTTP requests answered")
                      .register(prometheus),
                  Timer.builder("coba.http.request.duration")
                      .tags(tags)
                      .serviceLevelObjectives(BUCKETS)
                      .description("time to answer an HTTP request")
                      .register(prometheus));
            });
    m.count().increment();
    m.latency().record((long) (ms * 1_000_000.0), TimeUnit.NANOSECONDS);
  }

  void report(StepOutcome outcome) {
    (outcome instanceof StepOutcome.Complete ? complete : pending).increment();
  }

  /**
   * The exposition text: Micrometer's meters, then the per-run gauges written straight from
   * the registry's views (no meters to register and remove as runs come and go).
   */
  synchronized String scrape() {
    StringBuilder runLines = new StringBuilder();
    StringBuilder stepLines = new StringBuilder();
    int series = 0;
    long left = 0;
    for (RunView v : runs.views()) {
      String run = label(v.spec().runId());
      List<String> tasks = v.weights().tasks();
      if (series + tasks.size() > MAX_WEIGHT_SERIES) {
        left += tasks.size();
        continue;
      }
      series += tasks.size();
      for (int i = 0; i < tasks.size(); i++) {
        runLines
            .append("coba_run_weight{run=\"")
            .append(run)
            .append("\",task=\"")
            .append(label(tasks.get(i)))
            .append("\"} ")
            .append(v.weights().get(i))
            .append('\n');
      }
      if (v.step() != null) {
        stepLines
            .append("coba_run_step{run=\"")
            .append(run)
            .append("\"} ")
            .append(v.step())
            .append('\n');
      }
    }
    dropped.set(left);
    return prometheus.scrape()
        + "# HELP coba_run_weight current weight of a task of a run (at most "
        + MAX_WEIGHT_SERIES
        + " series)\n"
        + "# TYPE coba_run_weight gauge\n"
        + runLines
        + "# HELP coba_run_step last completed step of a run\n"
        + "# TYPE coba_run_step gauge\n"
        + stepLines;
  }

  /** A label value in the text format: backslash, double quote and newline escaped. */
  static String label(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private String route(Context ctx) {
    try {
      String path = ctx.endpointHandlerPath();
      return routes.contains(path) ? path : UNMATCHED;
    } catch (
        RuntimeException
            e) { // the request ended in a before-handler (401): no endpoint matched yet
      return UNMATCHED;
    }
  }
}
