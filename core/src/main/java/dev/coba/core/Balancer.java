package dev.coba.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A balancing method for one run: told its tasks and parameters at creation, it receives
 * reports in increasing step order and answers the weights for the next training step.
 * Not thread-safe: a run serialises its reports. Create instances through {@link Methods}.
 */
public interface Balancer {

  /** The method name, e.g. {@code "coba"}. */
  String method();

  /** The tasks in weight order. */
  List<String> tasks();

  /** The resolved parameters, defaults included. */
  Params params();

  /** How the trainer applies the weights. */
  Objective objective();

  /** The current weights: for the step after the last report (uniform before any). */
  Weights weights();

  /** The step of the last accepted report, or {@code null} before the first. */
  @Nullable Long lastStep();

  /**
   * Takes one report and answers the weights for step {@code report.step() + 1}.
   *
   * @throws InvalidInputException for a step that does not increase, an unknown task, a NaN,
   *     infinite or negative value, or an input the method needs but lacks; the state is then
   *     unchanged
   */
  Update update(Report report);

  /**
   * Refuses what {@link #update} would refuse, changing nothing: lets a caller make a report
   * durable before applying it, knowing the update cannot fail.
   */
  void verify(Report report);

  /** The whole state, for checkpoints and restarts; see {@link Methods#restore}. */
  BalancerState exportState();
}
