package dev.coba.sidecar.replay;

import dev.coba.core.InvalidInputException;
import dev.coba.core.Update;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunConflictException;
import dev.coba.core.run.RunSpec;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs a checked {@link ReplayLog} through a fresh single-rank {@link Run}, one update per
 * report: the same path the sidecar takes, so replay's numbers are the sidecar's by construction.
 */
public final class Replay {
  private Replay() {}

  /**
   * Creates the balancer for the log's tasks and step-0 losses.
   *
   * @throws ReplayInputException when the core refuses a task name or initial loss (it names the line)
   * @throws InvalidInputException for a method or parameter error (no line to blame)
   */
  public static Run create(ReplayLog log, String method, Map<String, ?> params) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> given = (Map<String, Object>) params;
      return Run.create(
          new RunSpec("replay", log.tasks(), method, given, 1, log.initialLosses()), 1);
    } catch (InvalidInputException e) {
      int line = log.lineOf(e.field());
      if (line > 0) {
        throw new ReplayInputException(line, e.field(), e.getMessage());
      }
      throw e;
    }
  }

  /**
   * Feeds every report to {@code run} and hands each update to {@code out}; stops at the
   * first report the method refuses, after the updates of the earlier ones.
   *
   * @throws ReplayInputException naming the refused report's line and the core's field
   */
  public static void run(ReplayLog log, Run run, Consumer<Update> out) {
    for (LineReport r : log.reports()) {
      long step = r.report().step();
      try {
        run.submit(RankReport.of(r.report()));
      } catch (InvalidInputException e) {
        throw new ReplayInputException(r.line(), e.field(), e.getMessage());
      } catch (RunConflictException e) {
        throw new ReplayInputException(r.line(), e.field(), e.getMessage());
      }
      out.accept(run.history(step, step).get(step).update());
    }
  }
}
