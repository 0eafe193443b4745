package dev.coba.sidecar.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.cli.ExitCodes;
import dev.coba.sidecar.bench.HttpBenchmark;
import dev.coba.sidecar.bench.LatencySummary;
import dev.coba.sidecar.bench.SyntheticReports;
import dev.coba.sidecar.bench.Warmup;
import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.JournalStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench http}: a sidecar with its durable journal, next to a trivial Javalin route in
 * the same process, both driven by the same loopback clients, so the ratio shows what our own
 * code (parsing, the run, the fsync) costs on top of the framework.
 */
@Command(
    name = "http",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    header = "Measures report latency and throughput over HTTP, against a trivial route.",
    description = {
      "Starts a sidecar (journal in a temporary directory, fsync per group commit) and a",
      "bare Javalin app with one trivial POST route, in this process. Then: one client",
      "posting reports to one run (latency per report), and --clients clients each posting",
      "to its own run in a closed loop (reports per second); the same for the trivial",
      "route. Prints one JSON line. With --url, measures that sidecar instead, from this",
      "process (an external client), and as its trivial route GET /healthz of that sidecar.",
      "Each phase warms up until its rounds stop improving (the JIT has caught up with the",
      "load: on 2 cores a minute or more) and says so: <name>_warmup_s, <name>_steady.",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {HelpText.EXIT_CODES})
public final class BenchHttpCommand implements Callable<Integer> {
  private final Console console;

  @Spec CommandSpec spec;

  @Option(
      names = "--clients",
      paramLabel = "C",
      defaultValue = "64",
      description = "concurrent clients, one run each (default: ${DEFAULT-VALUE})")
  int clients;

  @Option(
      names = "--tasks",
      paramLabel = "K",
      defaultValue = "9",
      description = "tasks per run (default: ${DEFAULT-VALUE})")
  int tasks;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "5000",
      description = "measured sequential requests (default: ${DEFAULT-VALUE})")
  int requests;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "10",
      description = "measured seconds of the concurrent load (default: ${DEFAULT-VALUE})")
  int seconds;

  @Option(
      names = "--warmup-requests",
      paramLabel = "N",
      defaultValue = "20000",
      description =
          "least unmeasured sequential requests; more follow in rounds of 2,000 until their medians"
              + " stop falling (default: ${DEFAULT-VALUE})")
  int warmupRequests;

  @Option(
      names = "--warmup-seconds",
      paramLabel = "S",
      defaultValue = "10",
      description =
          "least unmeasured seconds of the concurrent load; more follow in 5 s rounds until the"
              + " mean of the last three is within 10 %% of the three before (default: ${DEFAULT-VALUE})")
  int warmupSeconds;

  @Option(
      names = "--max-warmup-seconds",
      paramLabel = "S",
      defaultValue = "180",
      description =
          "most seconds each warm-up may take when its rounds keep moving; the line then says"
              + " steady: false (default: ${DEFAULT-VALUE})")
  int maxWarmupSeconds;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "a running sidecar to measure instead of an in-process one")
  URI url;

  @Option(names = "--token", paramLabel = "T", description = "bearer token for --url")
  String token;

  public BenchHttpCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws IOException {
    if (clients < 1
        || tasks < 1
        || requests < 1
        || seconds < 1
        || warmupRequests < 0
        || warmupSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--clients, --tasks, --requests and --seconds must be at least 1, the warm-ups at least 0");
    }
    if (maxWarmupSeconds < warmupSeconds) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-warmup-seconds ("
              + maxWarmupSeconds
              + ") must be at least --warmup-seconds ("
              + warmupSeconds
              + ")");
    }
    List<String> names = SyntheticReports.tasks(tasks);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("tasks", tasks);
    line.put("clients", clients);
    if (url != null) {
      HttpBenchmark remote = new HttpBenchmark(url, token, names).logTo(this::progress);
      measure(remote, line, "sidecar", true);
      measure(remote, HttpBenchmark.get("/healthz"), line, "healthz");
      ratios(line, "healthz");
      console.out().println(json(line));
      return ExitCodes.OK;
    }
    Path dir = Files.createTempDirectory("coba-bench-http");
    RunRegistry registry = RunRegistry.open(JournalStore.open(dir), RegistryLimits.defaults());
    SidecarServer sidecar =
        Assembly.server(registry, new ServerConfig("127.0.0.1", 0, null)).start();
    Javalin trivial =
        Javalin.create(c -> c.showJavalinBanner = false)
            .post("/noop", ctx -> ctx.contentType("application/json").result("{\"ok\":true}"))
            .start("127.0.0.1", 0);
    try {
      line.put("store", "journal (fsync per group commit)");
      measure(
          new HttpBenchmark(URI.create("http://127.0.0.1:" + sidecar.port()), null, names)
              .logTo(this::progress),
          line,
          "sidecar",
          true);
      measure(
          new HttpBenchmark(URI.create("http://127.0.0.1:" + trivial.port()), null, names)
              .logTo(this::progress),
          line,
          "trivial",
          false);
      ratios(line, "trivial");
    } finally {
      trivial.stop();
      sidecar.stop();
      registry.close();
      deleteTree(dir);
    }
    line.put(
        "jvm",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    line.put("cores", Runtime.getRuntime().availableProcessors());
    console.out().println(json(line));
    return ExitCodes.OK;
  }

  private void measure(
      HttpBenchmark bench, Map<String, Object> line, String name, boolean reports) {
    HttpBenchmark.Target one =
        reports
            ? bench.steps("bench-seq-" + System.nanoTime())
            : HttpBenchmark.fixed("/noop", "{\"step\":1,\"valLosses\":{\"a\":1.0}}");
    List<HttpBenchmark.Target> targets = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      targets.add(reports ? bench.steps("bench-" + c + "-" + System.nanoTime()) : one);
    }
    measure(bench, one, targets, line, name, reports ? "_reports_per_s" : "_requests_per_s");
  }

  /** The same clients on a route that does nothing: what the framework and the loopback cost. */
  private void measure(
      HttpBenchmark bench, HttpBenchmark.Target trivial, Map<String, Object> line, String name) {
    measure(
        bench,
        trivial,
        java.util.Collections.nCopies(clients, trivial),
        line,
        name,
        "_requests_per_s");
  }

  /** One client's latency, then the clients' throughput; each phase warmed up to its plateau. */
  private void measure(
      HttpBenchmark bench,
      HttpBenchmark.Target one,
      List<HttpBenchmark.Target> many,
      Map<String, Object> line,
      String name,
      String rateKey) {
    Warmup most = new Warmup(0, maxWarmupSeconds * 1000L);
    HttpBenchmark.Measured<LatencySummary> latency =
        bench.sequential(one, warmupRequests, most, requests);
    line.put(name + "_median_us", latency.value().medianUs());
    line.put(name + "_p99_us", latency.value().p99Us());
    HttpBenchmark.Measured<Double> rate =
        bench.throughput(
            many, new Warmup(warmupSeconds * 1000L, maxWarmupSeconds * 1000L), seconds * 1000L);
    line.put(name + rateKey, Math.round(rate.value()) * 1.0);
    line.put(name + "_warmup_s", Math.round((latency.warmupMs() + rate.warmupMs()) / 100.0) / 10.0);
    line.put(name + "_steady", latency.steady() && rate.steady());
  }

  /** A warm-up round, on standard error: the line on standard output stays the one result. */
  private void progress(String line) {
    console.err().println(line);
    console.err().flush();
  }

  private static void ratios(Map<String, Object> line, String trivial) {
    line.put(
        "median_ratio",
        round((Double) line.get("sidecar_median_us") / (Double) line.get(trivial + "_median_us")));
    line.put(
        "throughput_ratio",
        round(
            (Double) line.get("sidecar_reports_per_s")
                / (Double) line.get(trivial + "_requests_per_s")));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String json(Map<String, Object> line) {
    try {
      return new ObjectMapper().writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
