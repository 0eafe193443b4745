package dev.coba.sidecar.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code train}: hands its arguments to the reference trainer's command line, {@link #TRAINER_ENTRY},
 * loaded from {@code lib/trainer/} ({@link TrainerLauncher}); {@code train --help} lists its flags.
 */
@Command(
    name = "train",
    description =
        "Train a small causal LM on several tasks, balanced by each --methods entry, and compare "
            + "(the reference trainer; `train --help` lists its flags).")
public final class TrainCommand implements Callable<Integer> {
  /** The trainer's class that parses and runs {@code train} (the trainer's tests check that it exists). */
  public static final String TRAINER_ENTRY = "dev.coba.trainer.cli.TrainCli";

  @Unmatched List<String> args = new ArrayList<>();

  private final Console console;

  public TrainCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws Exception {
    return TrainerLauncher.run(TRAINER_ENTRY, args, console);
  }
}
