package dev.coba.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coba.sidecar.cli.BenchTrainCommand;
import dev.coba.sidecar.cli.TrainCommand;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/**
 * The sidecar loads the trainer's commands by class name (it cannot depend on the trainer): the
 * names it uses are these classes, with the {@code run} method it calls.
 */
class SidecarEntriesTest {
  @Test
  void theSidecarsTrainerEntriesAreTheseClasses() throws ReflectiveOperationException {
    assertEquals(TrainCli.class, Class.forName(TrainCommand.TRAINER_ENTRY));
    assertEquals(TrainerBench.class, Class.forName(BenchTrainCommand.TRAINER_ENTRY));
    for (Class<?> entry : new Class<?>[] {TrainCli.class, TrainerBench.class}) {
      assertEquals(
          int.class,
          entry
              .getMethod("run", String[].class, PrintStream.class, PrintStream.class)
              .getReturnType(),
          entry.getName());
    }
  }
}
