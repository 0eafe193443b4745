package dev.coba.sidecar.runs;

import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.StepOutcome;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One run in the registry: the run, its downsampled curve, what it is estimated to hold, its
 * lock and the long-polls parked on it. Every field is read and changed under {@code lock}.
 */
final class RunSlot {
  final ReentrantLock lock = new ReentrantLock();
  final Waiters waiters = new Waiters();
  private final int maxHistory;
  Run run;
  StepSeries series;
  RunFootprint footprint;
  boolean gone;

  /** What is charged to the memory budget for this run (its footprint at the last {@link #recharge}). */
  private long charged;

  RunSlot(Run run, int maxHistory) {
    this.maxHistory = maxHistory;
    this.run = run;
    this.series = StepSeries.of(run.spec().tasks(), run.history(0, Long.MAX_VALUE));
    this.footprint = new RunFootprint(run, maxHistory);
    footprint.rebuild(run, series);
  }

  /** Takes over {@code other}'s run, curve and footprint (a restore: built apart, then swapped in). */
  void adopt(RunSlot other) {
    this.run = other.run;
    this.series = other.series;
    this.footprint = other.footprint;
  }

  /** What accepting {@code report} (new, valid) may add to {@link #recharge}, before it is stored. */
  long forecast(RankReport report) {
    return footprint.forecast(report, run, series);
  }

  /** Applies a report that {@link Run#answerIfRepeat} found new; a completed step joins the curve. */
  StepOutcome accept(RankReport report) {
    StepOutcome outcome = run.accept(report);
    if (outcome instanceof StepOutcome.Complete c) {
      series.add(c.step(), run.history(c.step(), c.step()).get(c.step()));
    }
    footprint.accepted(report, outcome, run, series);
    return outcome;
  }

  /** Rewinds the run; the curve drops what came after and takes the retained steps up to {@code step}. */
  void rewind(long step) {
    run.rewind(step);
    series.truncateAfter(step);
    run.history(series.lastStep() + 1, step).forEach(series::add);
    footprint.rebuild(run, series);
  }

  /** The estimate's change since the last call: what to charge to the budget (negative: to release). */
  long recharge() {
    long now = footprint.total();
    long delta = now - charged;
    charged = now;
    return delta;
  }

  long charged() {
    return charged;
  }

  int maxHistory() {
    return maxHistory;
  }
}
