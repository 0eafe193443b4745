package dev.coba.sidecar.runs;

import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunState;
import dev.coba.core.run.StepOutcome;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What one run is estimated to hold ({@link Footprint}), kept step by step as the run changes,
 * so that the registry can charge it to the {@link MemoryBudget} and tell beforehand what a
 * report would add. It mirrors the run's own bookkeeping: reports of a pending step wait in
 * {@code pending}; when a step completes, they, the reports of lower steps it dropped, and the
 * step itself become one entry of {@code retained}, oldest first, and the oldest leaves when the
 * run evicts it (more than {@code maxHistory} steps). Guarded by the run's lock.
 */
final class RunFootprint {
  private final long fixed;
  private final int maxHistory;
  private final boolean growsPerStep;
  private final long firstCurve;
  private final TreeMap<Long, Long> pending = new TreeMap<>();
  private long pendingBytes;

  /** Bytes per retained completed step, oldest first: a ring of at most maxHistory + 1. */
  private long[] retained = new long[8];

  private int head;
  private int count;
  private long retainedBytes;

  /** The method's state beyond its fixed part; never given back (CoBa's history of the run's whole life). */
  private long grown;

  private long curve;

  /** The last completed step's own bytes: the forecast for the next one. */
  private long lastStep = -1;

  RunFootprint(Run run, int maxHistory) {
    this.fixed = Footprint.run(run.spec());
    this.maxHistory = maxHistory;
    this.growsPerStep = Footprint.growsPerStep(run.spec());
    int k = run.spec().tasks().size();
    // the curve's first arrays: per-task charts (weights, losses, diagnostics) and a few scalars
    this.firstCurve =
        16
            + 8L * 4
            + (Footprint.ASSUMED_DIAGNOSTICS + 4) * (64 + 16 + 4L * 4 * k)
            + 4 * (64 + 16 + 16);
  }

  /** Everything, as charged. */
  long total() {
    return fixed + pendingBytes + retainedBytes + grown + curve;
  }

  /**
   * What accepting {@code r} (new, valid) may add, before it is stored: the report, and when it
   * completes its step the step, the method's growth and the curve's, less the step it evicts.
   */
  long forecast(RankReport r, Run run, StepSeries series) {
    long bytes = Footprint.report(r);
    StepOutcome now = run.outcome(r.step());
    int received = now instanceof StepOutcome.Pending p ? p.received() : 0;
    if (received + 1 < run.spec().worldSize()) {
      return bytes;
    }
    bytes += lastStep >= 0 ? lastStep : Footprint.firstStep(run.spec(), r);
    bytes += growsPerStep ? Footprint.DF_PER_STEP : 0;
    bytes +=
        series.size() == 0 && series.retainedBytes() < firstCurve
            ? firstCurve
            : series.growthOfNextAdd();
    if (count == maxHistory) {
      bytes -= retained[head];
    }
    return bytes;
  }

  /** Records {@code r}, just accepted with {@code outcome}; the curve as it now is. */
  void accepted(RankReport r, StepOutcome outcome, Run run, StepSeries series) {
    long bytes = Footprint.report(r);
    if (outcome instanceof StepOutcome.Complete c) {
      Run.CompletedStep done = run.history(c.step(), c.step()).get(c.step());
      lastStep = Footprint.step(done);
      NavigableMap<Long, Long> dropped = pending.headMap(c.step(), true);
      for (long b : dropped.values()) {
        bytes += b;
        pendingBytes -= b;
      }
      dropped.clear();
      push(bytes + lastStep);
      grown += growsPerStep ? Footprint.DF_PER_STEP : 0;
    } else {
      pending.merge(r.step(), bytes, Long::sum);
      pendingBytes += bytes;
    }
    curve = series.retainedBytes();
  }

  /**
   * Starts over from what the run now holds (a restore, a rewind): its retained reports and
   * steps, and for CoBa the divergence history its state carries.
   */
  void rebuild(Run run, StepSeries series) {
    pending.clear();
    pendingBytes = 0;
    head = 0;
    count = 0;
    retainedBytes = 0;
    NavigableMap<Long, Run.CompletedStep> done = run.history(0, Long.MAX_VALUE);
    RunState state = run.exportState();
    TreeMap<Long, Long> byStep = new TreeMap<>();
    for (RankReport r : state.reports()) {
      Long completedAt = done.ceilingKey(r.step());
      if (completedAt == null) {
        pending.merge(r.step(), Footprint.report(r), Long::sum);
        pendingBytes += Footprint.report(r);
      } else {
        byStep.merge(completedAt, Footprint.report(r), Long::sum);
      }
    }
    done.forEach(
        (step, d) -> {
          lastStep = Footprint.step(d);
          push(byStep.getOrDefault(step, 0L) + lastStep);
        });
    if (growsPerStep) {
      long history = baseHistory(state) + done.size();
      grown = Math.max(grown, Footprint.DF_PER_STEP * history);
    }
    curve = series.retainedBytes();
  }

  /** Steps folded into the base state's divergence history (CoBa's {@code amaxHistory}). */
  private static long baseHistory(RunState state) {
    if (state.base() == null) {
      return 0;
    }
    Map<String, Object> data = state.base().data();
    Object values = data == null ? null : data.get("amaxHistory");
    if (values instanceof double[] a) {
      return a.length;
    }
    return values instanceof List<?> l ? l.size() : 0;
  }

  private void push(long bytes) {
    if (count == retained.length) {
      long[] more = new long[retained.length * 2];
      for (int i = 0; i < count; i++) {
        more[i] = retained[(head + i) % retained.length];
      }
      retained = more;
      head = 0;
    }
    retained[(head + count) % retained.length] = bytes;
    count++;
    retainedBytes += bytes;
    while (count > maxHistory) { // the run evicted its oldest step, and the reports up to it
      retainedBytes -= retained[head];
      head = (head + 1) % retained.length;
      count--;
    }
  }
}
