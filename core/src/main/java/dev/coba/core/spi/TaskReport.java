package dev.coba.core.spi;

/**
 * A validated report in task-index form: arrays in the run's task order, with NaN for a
 * task that the report does not mention. Never contains a NaN from the trainer.
 */
public record TaskReport(long step, double[] val, double[] train, double[] grad) {

  public boolean hasVal(int task) {
    return !Double.isNaN(val[task]);
  }
}
