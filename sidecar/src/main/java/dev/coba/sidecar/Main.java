package dev.coba.sidecar;

import dev.coba.sidecar.cli.BenchCommand;
import dev.coba.sidecar.cli.CommandFactory;
import dev.coba.sidecar.cli.Console;
import dev.coba.sidecar.cli.HelpText;
import dev.coba.sidecar.cli.ReplayCommand;
import dev.coba.sidecar.cli.ServeCommand;
import dev.coba.sidecar.cli.TrainCommand;
import dev.coba.sidecar.cli.UsageErrors;
import dev.coba.sidecar.cli.Version;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code coba-sidecar} command: the entry point of the runnable jar. */
@Command(
    name = "coba-sidecar",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description =
        "CoBa (Convergence Balancer) and its peers: task weights for multi-task fine-tuning.",
    subcommands = {ServeCommand.class, TrainCommand.class, ReplayCommand.class, BenchCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {HelpText.EXIT_CODES})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err, System.in));
  }

  /**
   * Runs one command line against the given streams and answers its exit code; never calls
   * {@link System#exit}, so tests run commands in-process.
   */
  public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
    PrintWriter outText =
        new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter errText =
        new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine cli = commandLine(new Console(in, out, errText));
    cli.setOut(outText);
    cli.setErr(errText);
    int code = cli.execute(args);
    outText.flush();
    errText.flush();
    out.flush();
    err.flush();
    return code;
  }

  /** The command tree with exit codes mapped once: usage errors 2, internal errors 1. */
  static CommandLine commandLine(Console console) {
    CommandLine cli = new CommandLine(Main.class, new CommandFactory(console));
    cli.setParameterExceptionHandler(UsageErrors::handle);
    cli.setExecutionExceptionHandler(UsageErrors::internalError);
    return cli;
  }

  @Override
  public Integer call() {
    throw UsageErrors.missingSubcommand(spec);
  }
}
