package dev.coba.sidecar.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** {@code train}: the reference trainer ({@link TrainerLauncher}); {@code train --help} lists its flags. */
@Command(name = "train",
    description = "Train a small causal LM on several tasks, balanced by each --methods entry, and compare "
        + "(the reference trainer; `train --help` lists its flags).")
public final class TrainCommand implements Callable<Integer> {
  @Unmatched
  List<String> args = new ArrayList<>();

  private final Console console;

  public TrainCommand(Console console) {
    this.console = console;
  }

  @Override
  public Integer call() throws Exception {
    return TrainerLauncher.run("dev.coba.trainer.cli.TrainCommand", args, console);
  }
}
