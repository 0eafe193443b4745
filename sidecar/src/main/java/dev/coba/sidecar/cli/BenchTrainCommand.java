package dev.coba.sidecar.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code bench train overhead|quality}: the reference trainer's benchmarks ({@link TrainerLauncher});
 * {@code bench train --help} lists them.
 */
@Command(
    name = "train",
    description =
        "The trainer's benchmarks: `overhead` (seconds per step of coba over uniform) and `quality` "
            + "(test-loss ratios and best-step spread over seeds); `bench train --help` for their flags.")
public final class BenchTrainCommand implements Callable<Integer> {
  /** The trainer's class that parses and runs {@code bench train} (the trainer's tests check that it exists). */
  public static final String TRAINER_ENTRY = "dev.coba.trainer.cli.TrainerBench";

  @Unmatched List<String> args = new ArrayList<>();

  private final Console console;

  public BenchTrainCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws Exception {
    return TrainerLauncher.run(TRAINER_ENTRY, args, console);
  }
}
