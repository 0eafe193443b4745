package dev.coba.sidecar.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.cli.ExitCodes;
import dev.coba.sidecar.bench.CoreBenchmark;
import dev.coba.sidecar.bench.SyntheticReports;
import dev.coba.sidecar.cli.MethodParameters.Shortcut;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench core}: the cost of one {@code update} of a method, in-process, and its retained heap. */
@Command(
    name = "core",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    header = "Measures the cost of one update of a method, and its retained heap.",
    description = {
      "Replays synthetic reports (every task at every step, decaying noisy losses)",
      "through fresh balancers: warm-up runs, one measured run timing each update,",
      "then the heap that finished runs retain (an estimate: used heap after full",
      "GCs, averaged over --retained-runs runs). Prints one JSON line with method,",
      "tasks, history, steps, median_us, p99_us, max_us, mean_us,",
      "retained_bytes_per_run, jvm, cores, and the resolved params.",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {HelpText.EXIT_CODES})
public final class BenchCoreCommand implements Callable<Integer> {
  /** The issue's target configuration: K = 9, N = 200, T = 10,000. */
  static final String DEFAULT_HISTORY = "200";

  private final Console console;

  @Spec CommandSpec spec;

  @Option(
      names = "--method",
      paramLabel = "NAME",
      defaultValue = "coba",
      completionCandidates = MethodNames.class,
      description = "the balancing method (default: ${DEFAULT-VALUE}): ${COMPLETION-CANDIDATES}")
  String method;

  @Option(
      names = "--tasks",
      paramLabel = "K",
      defaultValue = "9",
      description = "number of tasks (default: ${DEFAULT-VALUE})")
  int tasks;

  @Option(
      names = "--history",
      paramLabel = "N",
      description =
          "historyLength (default: "
              + DEFAULT_HISTORY
              + " for a method that has it; an error for one that has not)")
  String history;

  @Option(
      names = "--steps",
      paramLabel = "T",
      defaultValue = "10000",
      description = "reports per run (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--warmup-runs",
      paramLabel = "R",
      defaultValue = "3",
      description =
          "whole runs before the measured one, to warm the JIT up (default: ${DEFAULT-VALUE})")
  int warmupRuns;

  @Option(
      names = "--retained-runs",
      paramLabel = "R",
      defaultValue = "50",
      description =
          "finished runs kept alive to estimate the retained heap per run (default: ${DEFAULT-VALUE})")
  int retainedRuns;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "seed of the synthetic losses (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description = "any parameter of the method, repeatable")
  List<String> params = new ArrayList<>();

  public BenchCoreCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() {
    checkRanges();
    CoreBenchmark bench;
    try {
      MethodDescriptor descriptor = Methods.get(method);
      Map<String, Object> resolved =
          MethodParameters.resolve(descriptor, shortcuts(descriptor), params);
      List<String> names = SyntheticReports.tasks(tasks);
      List<Report> reports = SyntheticReports.generate(names, steps, seed);
      bench = new CoreBenchmark(descriptor.name(), names, resolved, reports);
      bench.newBalancer(); // parameter combinations the core refuses fail here, before any timing
    } catch (InvalidInputException e) {
      return UsageErrors.badInput(console, spec, e);
    }
    CoreBenchmark.Result result = bench.run(warmupRuns, retainedRuns);
    console.out().println(json(result));
    console.out().flush();
    return ExitCodes.OK;
  }

  /** --history maps to historyLength; it defaults to 200 only where the method has that parameter. */
  private List<Shortcut> shortcuts(MethodDescriptor descriptor) {
    String text = history;
    if (text == null && MethodParameters.has(descriptor, "historyLength")) {
      text = DEFAULT_HISTORY;
    }
    return List.of(new Shortcut("--history", "historyLength", text));
  }

  private void checkRanges() {
    requireAtLeast("--tasks", tasks, 1);
    if (tasks > Methods.MAX_TASKS) {
      throw new ParameterException(
          spec.commandLine(), "--tasks must be at most " + Methods.MAX_TASKS + ", got " + tasks);
    }
    requireAtLeast("--steps", steps, 1);
    requireAtLeast("--warmup-runs", warmupRuns, 0);
    requireAtLeast("--retained-runs", retainedRuns, 1);
  }

  private void requireAtLeast(String option, long value, long min) {
    if (value < min) {
      throw new ParameterException(
          spec.commandLine(), option + " must be at least " + min + ", got " + value);
    }
  }

  private String json(CoreBenchmark.Result r) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("method", method);
    line.put("tasks", tasks);
    line.put("history", r.params().asMap().get("historyLength")); // null for a method without one
    line.put("steps", steps);
    line.put("median_us", r.latency().medianUs());
    line.put("p99_us", r.latency().p99Us());
    line.put("max_us", r.latency().maxUs());
    line.put("mean_us", r.latency().meanUs());
    line.put("retained_bytes_per_run", r.retainedBytesPerRun());
    line.put(
        "jvm",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    line.put("cores", Runtime.getRuntime().availableProcessors());
    line.put("warmup_runs", warmupRuns);
    line.put("retained_runs", retainedRuns);
    line.put("seed", seed);
    line.put("params", r.params().asMap());
    try {
      return new ObjectMapper().writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
