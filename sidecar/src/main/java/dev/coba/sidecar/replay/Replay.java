package dev.coba.sidecar.replay;

import dev.coba.core.Balancer;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Update;
import java.util.Map;
import java.util.function.Consumer;

/** Runs a checked {@link ReplayLog} through a fresh balancer, one update per report. */
public final class Replay {
  private Replay() {}

  /**
   * Creates the balancer for the log's tasks and step-0 losses.
   *
   * @throws ReplayInputException when the core refuses a task name or initial loss (it names the line)
   * @throws InvalidInputException for a method or parameter error (no line to blame)
   */
  public static Balancer create(ReplayLog log, String method, Map<String, ?> params) {
    try {
      return Methods.create(method, log.tasks(), params, log.initialLosses());
    } catch (InvalidInputException e) {
      int line = log.lineOf(e.field());
      if (line > 0) {
        throw new ReplayInputException(line, e.field(), e.getMessage());
      }
      throw e;
    }
  }

  /**
   * Feeds every report to {@code balancer} and hands each update to {@code out}; stops at the
   * first report the balancer refuses, after the updates of the earlier ones.
   *
   * @throws ReplayInputException naming the refused report's line and the core's field
   */
  public static void run(ReplayLog log, Balancer balancer, Consumer<Update> out) {
    for (LineReport r : log.reports()) {
      Update u;
      try {
        u = balancer.update(r.report());
      } catch (InvalidInputException e) {
        throw new ReplayInputException(r.line(), e.field(), e.getMessage());
      }
      out.accept(u);
    }
  }
}
