package dev.coba.sidecar.cli;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Methods;
import dev.coba.core.cli.ExitCodes;
import dev.coba.core.run.Run;
import dev.coba.sidecar.cli.MethodParameters.Shortcut;
import dev.coba.sidecar.replay.ExampleRun;
import dev.coba.sidecar.replay.Replay;
import dev.coba.sidecar.replay.ReplayInputException;
import dev.coba.sidecar.replay.ReplayLog;
import dev.coba.sidecar.replay.ReplayReader;
import dev.coba.sidecar.replay.UpdateWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code replay}: a balancing method run offline over the losses of a logged run. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    sortOptions = false,
    header = "Runs a balancing method offline over the losses of a logged run.",
    description = {
      "Reads one JSON report a line; writes one JSON line a report with the weights",
      "for the next step and the method's diagnostics.",
      "",
      "Input: JSON Lines in UTF-8, blank lines skipped. An optional first line",
      "  {\"tasks\": [\"python\", \"java\"], \"initialLosses\": {\"python\": 2.1}}",
      "fixes the task order and the step-0 losses; then one report a line:",
      "  {\"step\": 12, \"valLosses\": {\"python\": 1.93, \"java\": 2.41}}",
      "(\"trainLosses\" and \"gradNorms\" optional). Steps strictly increase; values",
      "are finite numbers >= 0. Format errors stop replay before any output.",
      "Output: {\"step\":12,\"weights\":{...},\"objective\":\"linear\",\"df\":0.93,...};",
      "per-task diagnostics are objects keyed by task; null = not available.",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {HelpText.EXIT_CODES})
public final class ReplayCommand implements Callable<Integer> {
  private final Console console;

  @Spec CommandSpec spec;

  @Option(
      names = "--method",
      required = true,
      paramLabel = "NAME",
      completionCandidates = MethodNames.class,
      description = "the balancing method: ${COMPLETION-CANDIDATES}")
  String method;

  @Option(
      names = "--variant",
      paramLabel = "NAME",
      description = "coba: paper (default) or mftcoder; sets the parameter variant")
  String variant;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      description =
          "coba: sets warmupSteps (uniform weights while n + 1 < W, n = the reports so far, this one included)")
  String warmup;

  @Option(
      names = "--history",
      paramLabel = "N",
      description = "coba: sets historyLength (points per task in the slope fit, >= 2)")
  String history;

  @Option(
      names = "--tau",
      paramLabel = "T",
      description = "coba: sets tau (divergence factor temperature, >= 0)")
  String tau;

  @Option(
      names = "--param",
      paramLabel = "KEY=VALUE",
      description = "any parameter of the method, repeatable, e.g. --param useDf=false")
  List<String> params = new ArrayList<>();

  @ArgGroup(exclusive = true)
  Source source;

  /** Where the reports come from; standard input when neither is given. */
  static final class Source {
    @Option(
        names = "--input",
        paramLabel = "FILE",
        description = "read the reports from FILE ('-': standard input)")
    Path input;

    @Option(names = "--example", description = "read the bundled example run (5 tasks, 400 steps)")
    boolean example;
  }

  public ReplayCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() {
    try {
      MethodDescriptor descriptor = Methods.get(method);
      Map<String, Object> resolved = MethodParameters.resolve(descriptor, shortcuts(), params);
      ReplayLog log = read();
      Run run = Replay.create(log, descriptor.name(), resolved);
      try (UpdateWriter out = new UpdateWriter(console.out())) {
        Replay.run(log, run, out::write);
      } // closing flushes what was written before any error message goes out
      return ExitCodes.OK;
    } catch (ReplayInputException e) {
      return UsageErrors.badInput(console, spec, e.getMessage());
    } catch (InvalidInputException e) {
      return UsageErrors.badInput(console, spec, e);
    } catch (NoSuchFileException e) {
      return UsageErrors.badInput(console, spec, "--input: no such file: " + e.getFile());
    } catch (IOException e) {
      return UsageErrors.badInput(
          console, spec, "--input: cannot read " + describeSource() + ": " + e);
    }
  }

  private List<Shortcut> shortcuts() {
    return List.of(
        new Shortcut("--variant", "variant", variant),
        new Shortcut("--warmup", "warmupSteps", warmup),
        new Shortcut("--history", "historyLength", history),
        new Shortcut("--tau", "tau", tau));
  }

  private ReplayLog read() throws IOException {
    try (InputStream in = open();
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return ReplayReader.read(lines);
    }
  }

  private InputStream open() throws IOException {
    if (source != null && source.example) {
      return ExampleRun.open();
    }
    if (source != null && source.input != null && !source.input.toString().equals("-")) {
      return Files.newInputStream(source.input);
    }
    return new UnclosedInputStream(console.in()); // standard input belongs to the caller
  }

  private String describeSource() {
    return source != null && source.input != null ? source.input.toString() : "standard input";
  }
}
