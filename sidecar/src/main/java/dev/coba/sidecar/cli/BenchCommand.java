package dev.coba.sidecar.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bench}: groups the benchmarks; each subcommand prints one JSON line. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    header = "Measures speed and memory; each subcommand prints one JSON line.",
    subcommands = {BenchCoreCommand.class, BenchHttpCommand.class, BenchTrainCommand.class},
    footerHeading = "%nExit codes:%n",
    footer = {HelpText.EXIT_CODES})
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw UsageErrors.missingSubcommand(spec);
  }
}
