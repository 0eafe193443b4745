package dev.coba.sidecar.cli;

import dev.coba.core.cli.ExitCodes;
import dev.coba.sidecar.http.CannotListenException;
import dev.coba.sidecar.http.ConnectionLimits;
import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.JournalStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.sidecar.runs.StoreException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: protocol v1 over HTTP, runs kept durable in a data directory. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    header = "Serves protocol v1 over HTTP: runs, step reports, weights, checkpoints.",
    description = {
      "Listens until SIGTERM or Ctrl-C, then stops the server and closes the store.",
      "The protocol is openapi.yaml; GET /v1/methods lists the methods.",
      "",
      "Each option falls back to an environment variable, then to its default;",
      "an option given on the command line wins. With a token, every /v1 route and",
      "/metrics need 'Authorization: Bearer <token>' (/healthz, /readyz and the dashboard's pages stay open).",
      "A read token (--read-token) opens GET requests only: dashboards, metrics, checkpoints.",
      "Without a token, only a loopback address may be bound, unless --insecure, and only requests",
      "naming localhost, a loopback address or the bound address in Host are answered.",
      "Prefer COBA_TOKEN to --token: a command line is visible to other local users.",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {HelpText.EXIT_CODES})
public final class ServeCommand implements Callable<Integer> {
  /** A journal above this size takes about a second or more to replay: say so. */
  static final long REPLAY_NOTICE_BYTES = 8L << 20;

  private final Console console;

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      paramLabel = "P",
      defaultValue = "${env:COBA_PORT:-8470}",
      description = "port to listen on, 0 = any free port (env COBA_PORT, default 8470)")
  int port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      defaultValue = "${env:COBA_BIND:-127.0.0.1}",
      description = "address to listen on (env COBA_BIND, default 127.0.0.1)")
  String bind;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "${env:COBA_DATA_DIR:-./coba-data}",
      description =
          "where runs and reports are kept, created if missing (env COBA_DATA_DIR, default ./coba-data)")
  Path dataDir;

  @Option(
      names = "--token",
      paramLabel = "T",
      defaultValue = "${env:COBA_TOKEN}",
      description = "bearer token required on /v1 and /metrics (env COBA_TOKEN; default: none)")
  String token;

  @Option(
      names = "--read-token",
      paramLabel = "T",
      defaultValue = "${env:COBA_READ_TOKEN}",
      description =
          "a second token that opens GET requests only (env COBA_READ_TOKEN; default: none; needs --token)")
  String readToken;

  @Option(names = "--insecure", description = "allow a non-loopback address without a token")
  boolean insecure;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "${env:COBA_MAX_CONNECTIONS:-4096}",
      description =
          "connections held at once; more wait until one closes (env COBA_MAX_CONNECTIONS, default 4096)")
  int maxConnections;

  @Option(
      names = "--max-runs",
      paramLabel = "N",
      defaultValue = "10000",
      description = "most runs held at once; creating one more is 409 (default 10000)")
  int maxRuns;

  @Option(
      names = "--max-history",
      paramLabel = "N",
      defaultValue = "2000",
      description =
          "completed steps retained per run for retries, history and rewinds (default 2000;"
              + " about 2.5 KB a step at 9 tasks)")
  int maxHistory;

  @Option(
      names = "--memory-budget",
      paramLabel = "SIZE",
      defaultValue = "${env:COBA_MEMORY_BUDGET:-}",
      description =
          "heap the runs may take, estimated per run and charged as they grow; a create, report or"
              + " PUT state that would not fit is 507 (bytes, or with KiB, MiB, GiB; env COBA_MEMORY_BUDGET;"
              + " default: half the maximum heap)")
  String memoryBudget;

  public ServeCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws Exception {
    String problem = checkOptions();
    if (problem != null) {
      return UsageErrors.badInput(console, spec, problem);
    }
    String tokenOrNull = token == null || token.isEmpty() ? null : token;
    InetAddress address;
    try {
      address = InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      return UsageErrors.badInput(console, spec, "--bind: cannot resolve '" + bind + "'");
    }
    if (tokenOrNull == null && !address.isLoopbackAddress()) {
      if (!insecure) {
        return UsageErrors.badInput(
            console,
            spec,
            "refusing to listen on "
                + bind
                + " without a token: "
                + "anyone who can reach it could read and change every run. Set COBA_TOKEN (or --token), "
                + "bind to 127.0.0.1, or pass --insecure.");
      }
      console
          .err()
          .println(
              spec.qualifiedName()
                  + ": warning: listening on "
                  + bind
                  + " without a token (--insecure)");
      console.err().flush();
    }
    ServerConfig config =
        new ServerConfig(
            bind,
            port,
            tokenOrNull,
            readToken,
            ConnectionLimits.DEFAULTS.withMaxConnections(maxConnections));
    return serve(config, address);
  }

  private String checkOptions() {
    if (port < 0 || port > 65535) {
      return "--port: must be in [0, 65535], got " + port;
    }
    if (maxRuns < 1) {
      return "--max-runs: must be >= 1, got " + maxRuns;
    }
    if (maxHistory < 1) {
      return "--max-history: must be >= 1, got " + maxHistory;
    }
    if (budgetBytes() != null && budgetBytes() < 1) {
      return "--memory-budget: must be a size such as 512MiB or 2GiB (or bytes), got '"
          + memoryBudget
          + "'";
    }
    if (token != null && !token.isEmpty() && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return "--token: a token is printable ASCII without spaces (it travels in an HTTP header)";
    }
    if (maxConnections < 1) {
      return "--max-connections: must be >= 1, got " + maxConnections;
    }
    if (readToken != null && !readToken.isEmpty()) {
      if (token == null || token.isEmpty()) {
        return "--read-token: needs --token (COBA_TOKEN), else everything but reading would be open";
      }
      if (readToken.equals(token)) {
        return "--read-token: must differ from the token";
      }
      if (!readToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        return "--read-token: a token is printable ASCII without spaces (it travels in an HTTP header)";
      }
    }
    return null;
  }

  /**
   * Opens the store (its lock keeps a second sidecar out), listens, and only then replays the
   * journal: meanwhile the probes answer and everything else is 503 "starting". The listening
   * line comes once the runs are loaded. A failure of the environment (directory in use, port
   * taken, journal damaged) is one line and exit code 1.
   */
  private int serve(ServerConfig config, InetAddress address) throws Exception {
    JournalStore store;
    try {
      store = JournalStore.open(dataDir);
    } catch (StoreException e) { // unwritable, in use by another sidecar, or of a newer format
      return environmentFailed(e.getMessage());
    }
    Long budget = budgetBytes();
    RunRegistry registry =
        RunRegistry.unloaded(
            store,
            budget == null
                ? new RegistryLimits(maxRuns, maxHistory)
                : new RegistryLimits(maxRuns, maxHistory, budget));
    SidecarServer server = Assembly.server(registry, config);
    try {
      server.start();
    } catch (CannotListenException e) {
      close(registry);
      return environmentFailed(e.getMessage());
    } catch (RuntimeException e) {
      close(registry);
      throw e;
    }
    long journalBytes = store.size();
    if (journalBytes > REPLAY_NOTICE_BYTES) {
      console
          .err()
          .println(
              spec.qualifiedName()
                  + ": replaying "
                  + (journalBytes >> 20)
                  + " MiB of journal in "
                  + dataDir
                  + "; port "
                  + server.port()
                  + " answers 503 \"starting\" until done");
      console.err().flush();
    }
    try {
      registry.load();
    } catch (RuntimeException e) {
      server.stop();
      close(registry);
      if (e instanceof StoreException) { // damaged before its end, or unreadable
        return environmentFailed(e.getMessage());
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.stop();
                  } finally {
                    close(registry);
                    stopped.countDown();
                  }
                },
                "coba-sidecar-shutdown"));
    String host = address instanceof Inet6Address ? "[" + bind + "]" : bind;
    console
        .out()
        .println(
            "coba-sidecar listening on http://"
                + host
                + ":"
                + server.port()
                + " (data: "
                + dataDir
                + ")");
    console.out().flush();
    stopped.await(); // until SIGTERM; the JVM then halts once the hook is done
    return ExitCodes.OK;
  }

  /** The budget given, in bytes; null for the default; 0 when it is not a size. */
  private Long budgetBytes() {
    if (memoryBudget == null || memoryBudget.isBlank()) {
      return null;
    }
    Long bytes = ByteSize.parse(memoryBudget);
    return bytes == null ? 0L : bytes;
  }

  private int environmentFailed(String message) {
    console.err().println(spec.qualifiedName() + ": " + message);
    console.err().flush();
    return ExitCodes.INTERNAL;
  }

  /** Closes the registry, which closes its store (flushing what it holds). */
  private void close(RunRegistry registry) {
    try {
      registry.close();
    } catch (RuntimeException e) {
      console.err().println(spec.qualifiedName() + ": closing the store failed: " + e);
      console.err().flush();
    }
  }
}
