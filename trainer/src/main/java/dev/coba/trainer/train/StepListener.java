package dev.coba.trainer.train;

/**
 * Told what a training loop does, in the shape of DJL's {@code TrainingListener}: after each
 * step (its number counts the updates done, 1 first) and after each full validation pass.
 */
public interface StepListener {
  StepListener NONE = new StepListener() {};

  /** A run of {@code method} starts (or resumes) at {@code fromStep} of {@code steps}. */
  default void onStart(String method, long fromStep, long steps) {}

  /**
   * Step {@code step} is done: {@code trainLosses} of its batch (before its update) and the
   * {@code weights} it was trained with.
   */
  default void onStep(long step, double[] trainLosses, double[] weights) {}

  /** A full validation pass at {@code step}: the mean validation-loss ratio and the best so far. */
  default void onValidation(long step, double meanRatio, double bestRatio) {}

  /**
   * The balancer did not answer the report of {@code step} in time; the client gave its last
   * weights again. {@code fallbackReports} of {@code reports} so far were not answered.
   */
  default void onFallback(long step, long fallbackReports, long reports) {}

  /** The run of the method ended (budget spent or patience out). */
  default void onEnd() {}
}
