package dev.coba.sidecar.runs;

import dev.coba.core.run.Run;
import dev.coba.core.run.StepOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The long-polls parked on one run's pending steps: a future each, no thread. Guarded by the
 * run's lock; the futures are completed by the caller after it released the lock (through
 * {@link Wake}), so that what depends on them never runs under it.
 */
final class Waiters {
  /** By step; a set of futures (identity: CompletableFuture does not override equals). */
  private final Map<Long, Set<CompletableFuture<StepOutcome>>> byStep = new HashMap<>();

  /** Futures to complete once the run's lock is released: each with its outcome, or failed. */
  record Wake(
      CompletableFuture<StepOutcome> future, StepOutcome outcome, RuntimeException failure) {
    void fire() {
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(outcome);
      }
    }

    static void fireAll(List<Wake> wakes) {
      wakes.forEach(Wake::fire);
    }
  }

  boolean isEmpty() {
    return byStep.isEmpty();
  }

  void add(long step, CompletableFuture<StepOutcome> future) {
    byStep.computeIfAbsent(step, s -> new HashSet<>()).add(future);
  }

  /** Whether it was still parked (a timeout that lost the race to a wake finds it gone). */
  boolean remove(long step, CompletableFuture<StepOutcome> future) {
    Set<CompletableFuture<StepOutcome>> set = byStep.get(step);
    if (set == null || !set.remove(future)) {
      return false;
    }
    if (set.isEmpty()) {
      byStep.remove(step);
    }
    return true;
  }

  /**
   * Takes every poll whose step is no longer pending after a change (completed, or dropped by a
   * rewind, a restore or a later step completing): each gets the step's outcome now.
   */
  List<Wake> takeDone(Run run) {
    if (byStep.isEmpty()) {
      return List.of();
    }
    List<Wake> wakes = new ArrayList<>();
    for (Iterator<Map.Entry<Long, Set<CompletableFuture<StepOutcome>>>> it =
            byStep.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<Long, Set<CompletableFuture<StepOutcome>>> e = it.next();
      StepOutcome now = run.outcome(e.getKey());
      if (!(now instanceof StepOutcome.Pending)) {
        e.getValue().forEach(f -> wakes.add(new Wake(f, now, null)));
        it.remove();
      }
    }
    return wakes;
  }

  /** Takes every poll, each with its step's outcome now. */
  List<Wake> takeAll(Run run) {
    List<Wake> wakes = new ArrayList<>();
    byStep.forEach(
        (step, set) -> {
          StepOutcome now = run.outcome(step);
          set.forEach(f -> wakes.add(new Wake(f, now, null)));
        });
    byStep.clear();
    return wakes;
  }

  /** Takes every poll, each to fail with {@code failure} (the run was deleted). */
  List<Wake> takeAll(RuntimeException failure) {
    List<Wake> wakes = new ArrayList<>();
    byStep.values().forEach(set -> set.forEach(f -> wakes.add(new Wake(f, null, failure))));
    byStep.clear();
    return wakes;
  }
}
