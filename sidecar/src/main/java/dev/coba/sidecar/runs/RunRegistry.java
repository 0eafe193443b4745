package dev.coba.sidecar.runs;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunConflictException;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import dev.coba.core.run.StepOutcome;
import dev.coba.sidecar.dashboard.StepSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sidecar's runs: one lock per run (never a global lock on the report path), every change
 * made durable in the {@link Store} before it is applied and answered, and the store replayed
 * through the same code at start-up, so a restarted sidecar answers exactly as before.
 *
 * <p>The journal is compacted when it has grown: every run is written as one {@code restore}
 * event of its exported state. That one moment takes the exclusive side of a read-write lock
 * whose shared side every change holds.
 *
 * <p>Each run also keeps its whole curve downsampled ({@link StepSeries}, for the dashboard),
 * fed by every completed step on the same path, live and at start-up. It is derived, never
 * stored: after a restart it holds what the journal replays, i.e. every step since the run's
 * start, or since the retained history of its last {@code restore} event (a compaction, a PUT
 * of its state) when there is one.
 *
 * <p>A long-poll is a future parked on the run ({@link Waiters}), not a thread: the change that
 * ends its wait completes it once the run's lock is released, and one timer thread completes
 * those whose {@code waitMs} ran out.
 */
public final class RunRegistry implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RunRegistry.class.getName());
  /** Compact once the journal has grown by this much since the last compaction... */
  static final long COMPACT_AFTER_BYTES = 64L << 20;

  private final Store store;
  private final RegistryLimits limits;
  private final ConcurrentSkipListMap<String, Slot> runs = new ConcurrentSkipListMap<>();
  private final ReentrantReadWriteLock compaction = new ReentrantReadWriteLock();
  private final long compactAfter;
  private final ScheduledThreadPoolExecutor timeouts = timeouts();
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile boolean ready;
  /** False once the server stops: a poll then answers at once instead of holding the stop up. */
  private volatile boolean parking = true;

  /** A run, its downsampled curve, its lock and the long-polls parked on it. */
  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    final Waiters waiters = new Waiters();
    Run run;
    StepSeries series;
    boolean gone;

    Slot(Run run) {
      replace(run);
    }

    /** A new or restored run: its curve starts over from the history it retains. */
    void replace(Run run) {
      this.run = run;
      this.series = StepSeries.of(run.spec().tasks(), run.history(0, Long.MAX_VALUE));
    }

    /** Applies a report that {@link Run#answerIfRepeat} found new; a completed step joins the curve. */
    StepOutcome accept(RankReport report) {
      StepOutcome outcome = run.accept(report);
      if (outcome instanceof StepOutcome.Complete c) {
        series.add(c.step(), run.history(c.step(), c.step()).get(c.step()));
      }
      return outcome;
    }

    /** Rewinds the run; the curve drops what came after and takes the retained steps up to {@code step}. */
    void rewind(long step) {
      run.rewind(step);
      series.truncateAfter(step);
      run.history(series.lastStep() + 1, step).forEach(series::add);
    }
  }

  private RunRegistry(Store store, RegistryLimits limits, long compactAfter) {
    this.store = store;
    this.limits = limits;
    this.compactAfter = compactAfter;
  }

  /** One daemon thread for every long-poll's timeout; a cancelled one leaves its queue at once. */
  private static ScheduledThreadPoolExecutor timeouts() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "coba-long-poll-timeouts");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** Opens a registry over {@code store}, replaying what it holds. */
  public static RunRegistry open(Store store, RegistryLimits limits) {
    return open(store, limits, COMPACT_AFTER_BYTES);
  }

  static RunRegistry open(Store store, RegistryLimits limits, long compactAfter) {
    RunRegistry registry = new RunRegistry(store, limits, compactAfter);
    store.replay(registry::recover);
    registry.ready = true;
    return registry;
  }

  public boolean ready() {
    return ready;
  }

  public int size() {
    return runs.size();
  }

  public CreateResult create(RunSpec spec) {
    return changing(() -> {
      while (true) {
        Slot existing = runs.get(spec.runId());
        if (existing != null) {
          existing.lock.lock();
          try {
            if (!existing.gone) {
              if (!existing.run.sameDefinition(spec)) {
                throw new RunConflictException("runId", "run '" + spec.runId()
                    + "' exists with another definition; delete it first or use another runId");
              }
              return new CreateResult(RunView.of(existing.run), false);
            }
          } finally {
            existing.lock.unlock();
          }
          continue; // it was being deleted: look again
        }
        Run run = Run.create(spec, limits.maxHistory());
        if (runs.size() >= limits.maxRuns()) {
          throw new RunConflictException("runId", "the sidecar holds " + runs.size()
              + " runs, its limit; delete finished runs or raise --max-runs");
        }
        Slot slot = new Slot(run);
        slot.lock.lock();
        try {
          if (runs.putIfAbsent(spec.runId(), slot) != null) {
            continue; // created concurrently: compare with that one
          }
          appendOrForget(Event.create(spec), slot);
          return new CreateResult(RunView.of(run), true);
        } finally {
          slot.lock.unlock();
        }
      }
    });
  }

  public RunView get(String runId) {
    return reading(runId, RunView::of);
  }

  /** Runs ordered by id, after {@code after} (exclusive; null: from the first). */
  public RunPage list(String after, int limit) {
    NavigableMap<String, Slot> rest = after == null ? runs : runs.tailMap(after, false);
    List<RunView> page = new ArrayList<>();
    String last = null;
    for (var e : rest.entrySet()) {
      if (page.size() == limit) {
        return new RunPage(page, last);
      }
      Slot slot = e.getValue();
      slot.lock.lock();
      try {
        if (!slot.gone) {
          page.add(RunView.of(slot.run));
          last = e.getKey();
        }
      } finally {
        slot.lock.unlock();
      }
    }
    return new RunPage(page, null);
  }

  /** Every run, for metrics. */
  public List<RunView> views() {
    return list(null, Integer.MAX_VALUE).runs();
  }

  public void delete(String runId) {
    Waiters.Wake.fireAll(changing(() -> locked(runId, slot -> {
      store.append(Event.delete(runId));
      slot.gone = true;
      runs.remove(runId, slot);
      return slot.waiters.takeAll(new RunNotFoundException(runId));
    })));
  }

  /** Takes one rank's report; returns once it is durable (a retry answers without storing again). */
  public StepOutcome submit(String runId, RankReport report) {
    List<Waiters.Wake> wakes = new ArrayList<>(0);
    StepOutcome outcome = changing(() -> locked(runId, slot -> {
      StepOutcome repeat = slot.run.answerIfRepeat(report);
      if (repeat != null) {
        return repeat;
      }
      store.append(Event.report(runId, report));
      StepOutcome accepted = slot.accept(report);
      wakes.addAll(slot.waiters.takeDone(slot.run));
      return accepted;
    }));
    Waiters.Wake.fireAll(wakes);
    return outcome;
  }

  /**
   * The outcome of {@code step} once it is no longer pending, or when {@code waitMs} has passed
   * (then as it is at that moment), whichever comes first; null when nobody reported the step
   * (or it left the retained history). Holds no thread while it waits. Already complete when
   * the step is not pending now or {@code waitMs} is 0; fails with {@link RunNotFoundException}
   * when there is no such run, now or when it is deleted during the wait.
   */
  public CompletableFuture<StepOutcome> whenDone(String runId, long step, long waitMs) {
    return locked(runId, slot -> {
      StepOutcome now = slot.run.outcome(step);
      if (!(now instanceof StepOutcome.Pending) || waitMs <= 0 || !parking) {
        return CompletableFuture.completedFuture(now);
      }
      CompletableFuture<StepOutcome> poll = new CompletableFuture<>();
      slot.waiters.add(step, poll);
      waiting.incrementAndGet();
      ScheduledFuture<?> timeout = timeouts.schedule(() -> expire(slot, step, poll), waitMs, TimeUnit.MILLISECONDS);
      poll.whenComplete((o, e) -> {
        waiting.decrementAndGet();
        timeout.cancel(false);
      });
      return poll;
    });
  }

  /** {@link #whenDone}, waiting on this thread: for tests and callers without an HTTP exchange. */
  public StepOutcome awaitOutcome(String runId, long step, long waitMs) {
    try {
      return whenDone(runId, step, waitMs).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  /**
   * Answers every parked long-poll now, with its step as it is (pending), and parks none from
   * then on: a stopping server answers them instead of waiting out its stop timeout on them.
   */
  public void stopParking() {
    parking = false;
    for (Slot slot : runs.values()) {
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

  /** Long-polls parked now, over every run. */
  public int waitingPolls() {
    return waiting.get();
  }

  /** A poll's {@code waitMs} ran out: it answers the step as it is now (unless a change woke it first). */
  private void expire(Slot slot, long step, CompletableFuture<StepOutcome> poll) {
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

  public NavigableMap<Long, Run.CompletedStep> history(String runId, long from, long to) {
    return reading(runId, run -> new TreeMap<>(run.history(from, to)));
  }

  /**
   * Reads the run and its downsampled curve under the run's lock; {@code read} must copy what it
   * keeps (the series goes on changing).
   */
  public <T> T series(String runId, BiFunction<RunView, StepSeries, T> read) {
    return locked(runId, slot -> read.apply(RunView.of(slot.run), slot.series));
  }

  public RunState exportState(String runId) {
    return reading(runId, Run::exportState);
  }

  /** Replaces the run by a saved state (creating it when missing); durable on return. */
  public RunView restoreState(String runId, RunState state) {
    if (state.run() == null || !runId.equals(state.run().runId())) {
      throw new InvalidInputException("run.runId", "the state is of run '"
          + (state.run() == null ? null : state.run().runId()) + "', not '" + runId + "'");
    }
    Run restored = Run.restore(state, limits.maxHistory());
    return changing(() -> {
      while (true) {
        Slot slot = runs.get(runId);
        if (slot == null) {
          if (runs.size() >= limits.maxRuns()) {
            throw new RunConflictException("runId", "the sidecar holds " + runs.size() + " runs, its limit");
          }
          Slot fresh = new Slot(restored);
          fresh.lock.lock();
          try {
            if (runs.putIfAbsent(runId, fresh) != null) {
              continue;
            }
            appendOrForget(Event.restore(runId, state), fresh);
            return RunView.of(restored);
          } finally {
            fresh.lock.unlock();
          }
        }
        List<Waiters.Wake> wakes = List.of();
        slot.lock.lock();
        try {
          if (slot.gone) {
            continue;
          }
          store.append(Event.restore(runId, state));
          slot.replace(restored);
          wakes = slot.waiters.takeDone(restored);
          return RunView.of(restored);
        } finally {
          slot.lock.unlock();
          Waiters.Wake.fireAll(wakes);
        }
      }
    });
  }

  public RunView rewind(String runId, long step) {
    List<Waiters.Wake> wakes = new ArrayList<>(0);
    RunView view = changing(() -> locked(runId, slot -> {
      slot.run.checkRewind(step);
      store.append(Event.rewind(runId, step));
      slot.rewind(step);
      wakes.addAll(slot.waiters.takeDone(slot.run));
      return RunView.of(slot.run);
    }));
    Waiters.Wake.fireAll(wakes);
    return view;
  }

  @Override
  public void close() {
    ready = false;
    timeouts.shutdownNow();
    store.close();
  }

  /** Applies one stored event at start-up, through the same calls as a live request. */
  private void recover(Event e) {
    try {
      switch (e.type()) {
        case Event.CREATE -> runs.put(e.runId(), new Slot(Run.create(e.spec(), limits.maxHistory())));
        case Event.REPORT -> {
          Slot slot = runs.get(e.runId());
          if (slot.run.answerIfRepeat(e.report()) == null) {
            slot.accept(e.report());
          }
        }
        case Event.REWIND -> runs.get(e.runId()).rewind(e.step());
        case Event.RESTORE -> runs.put(e.runId(), new Slot(Run.restore(e.state(), limits.maxHistory())));
        case Event.DELETE -> runs.remove(e.runId());
        default -> throw new IllegalStateException("unknown event type " + e.type());
      }
    } catch (RuntimeException ex) {
      // only a bug stores an event that cannot be applied; the rest of the journal still counts
      LOG.log(Level.SEVERE, "journal event " + e.type() + " of run " + e.runId() + " could not be replayed", ex);
    }
  }

  /** Appends the event that makes a new slot real; if the store fails, the slot never existed. */
  private void appendOrForget(Event event, Slot slot) {
    try {
      store.append(event);
    } catch (RuntimeException ex) {
      slot.gone = true;
      runs.remove(event.runId(), slot);
      throw ex;
    }
  }

  private <T> T locked(String runId, Function<Slot, T> action) {
    Slot slot = runs.get(runId);
    if (slot == null) {
      throw new RunNotFoundException(runId);
    }
    slot.lock.lock();
    try {
      if (slot.gone) {
        throw new RunNotFoundException(runId);
      }
      return action.apply(slot);
    } finally {
      slot.lock.unlock();
    }
  }

  private <T> T reading(String runId, Function<Run, T> read) {
    return locked(runId, slot -> read.apply(slot.run));
  }

  /** A change: holds the shared side of the compaction lock; compacts afterwards when due. */
  private <T> T changing(java.util.function.Supplier<T> change) {
    T result;
    compaction.readLock().lock();
    try {
      result = change.get();
    } finally {
      compaction.readLock().unlock();
    }
    if (store.bytesSinceRewrite() > compactAfter) {
      compact();
    }
    return result;
  }

  /** Rewrites the store as one restore event per run. */
  void compact() {
    compaction.writeLock().lock();
    try {
      if (store.bytesSinceRewrite() <= compactAfter) {
        return; // another thread compacted meanwhile
      }
      List<Event> snapshot = new ArrayList<>();
      for (var e : runs.entrySet()) {
        snapshot.add(Event.restore(e.getKey(), e.getValue().run.exportState()));
      }
      store.rewrite(snapshot);
    } finally {
      compaction.writeLock().unlock();
    }
  }
}
