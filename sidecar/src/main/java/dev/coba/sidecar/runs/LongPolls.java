package dev.coba.sidecar.runs;

import dev.coba.core.run.StepOutcome;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Long-polls as futures parked on their run ({@link Waiters}), not threads: the change that
 * ends a wait completes it, and one timer thread completes those whose {@code waitMs} ran out
 * (with the step as it then is). Thousands of open polls cost a future and a timer entry each.
 */
final class LongPolls implements AutoCloseable {
  private final ScheduledThreadPoolExecutor timeouts;
  private final AtomicInteger waiting = new AtomicInteger();

  /** False once the server stops: a poll then answers at once instead of holding the stop up. */
  private volatile boolean parking = true;

  LongPolls() {
    timeouts =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "coba-long-poll-timeouts");
              t.setDaemon(true);
              return t;
            });
    timeouts.setRemoveOnCancelPolicy(true); // a poll woken early leaves the timer's queue at once
  }

  boolean parking() {
    return parking;
  }

  /** Parks a poll of {@code step} (pending now) on {@code slot}; the caller holds the slot's lock. */
  CompletableFuture<StepOutcome> park(RunSlot slot, long step, long waitMs) {
    CompletableFuture<StepOutcome> poll = new CompletableFuture<>();
    slot.waiters.add(step, poll);
    waiting.incrementAndGet();
    ScheduledFuture<?> timeout =
        timeouts.schedule(() -> expire(slot, step, poll), waitMs, TimeUnit.MILLISECONDS);
    poll.whenComplete(
        (o, e) -> {
          waiting.decrementAndGet();
          timeout.cancel(false);
        });
    return poll;
  }

  /** A poll's {@code waitMs} ran out: it answers the step as it is now (unless a change woke it first). */
  private static void expire(RunSlot slot, long step, CompletableFuture<StepOutcome> poll) {
    StepOutcome now;
    slot.lock.lock();
    try {
      if (!slot.waiters.remove(step, poll)) {
        return;
      }
      now = slot.run.outcome(step);
    } finally {
      slot.lock.unlock();
    }
    poll.complete(now);
  }

  /** Answers every parked poll now, with its step as it is, and parks none from then on. */
  void stopParking(Collection<RunSlot> slots) {
    parking = false;
    for (RunSlot slot : slots) {
      List<Waiters.Wake> wakes;
      slot.lock.lock();
      try {
        wakes = slot.waiters.takeAll(slot.run);
      } finally {
        slot.lock.unlock();
      }
      Waiters.Wake.fireAll(wakes);
    }
  }

  /** Polls parked now, over every run. */
  int waiting() {
    return waiting.get();
  }

  @Override
  public void close() {
    timeouts.shutdownNow();
  }
}
