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
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
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
 * <p>The journal is compacted when it has grown by {@link #COMPACT_AFTER_BYTES} since its last
 * compaction, as the store measures it (across restarts: a start compacts a journal that grew
 * that much before): every run is written as one {@code restore} event of its exported state.
 * That one moment takes the exclusive side of a read-write lock whose shared side every change
 * holds. A compaction that fails (a full disk) changes nothing and is logged; the next one is
 * tried after the journal has grown as much again.
 *
 * <p>Each run also keeps its whole curve downsampled ({@link StepSeries}, for the dashboard),
 * fed by every completed step on the same path, live and at start-up. It is derived, never
 * stored: after a restart it holds what the journal replays, i.e. every step since the run's
 * start, or since the retained history of its last {@code restore} event (a compaction, a PUT
 * of its state) when there is one.
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
  /** Growth at which the next compaction is tried: {@link #compactAfter}, pushed on by a failed one. */
  private volatile long compactAt;
  private volatile boolean ready;

  /** A run, its downsampled curve and its lock; {@code changed} wakes long-polls. */
  private static final class Slot {
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
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
    this.compactAt = compactAfter;
  }

  /** Opens a registry over {@code store}, replaying what it holds. */
  public static RunRegistry open(Store store, RegistryLimits limits) {
    return open(store, limits, COMPACT_AFTER_BYTES);
  }

  static RunRegistry open(Store store, RegistryLimits limits, long compactAfter) {
    RunRegistry registry = new RunRegistry(store, limits, compactAfter);
    registry.load();
    return registry;
  }

  /**
   * A registry over {@code store} that holds nothing yet and is not {@link #ready}: a server
   * can listen (answering "starting") while {@link #load} replays a long journal.
   */
  public static RunRegistry unloaded(Store store, RegistryLimits limits) {
    return new RunRegistry(store, limits, COMPACT_AFTER_BYTES);
  }

  /**
   * Replays the store, compacts it when it grew enough before this start, and becomes ready.
   * Nothing else may touch the registry until it returns.
   */
  public void load() {
    if (ready) {
      throw new IllegalStateException("the registry is loaded once");
    }
    store.replay(this::recover);
    compactIfDue();
    ready = true;
  }

  /** True once loaded, until closed. */
  public boolean ready() {
    return ready;
  }

  /** Why the store takes no writes now (every change is refused); null while it does. */
  public String storeFailure() {
    return store.failure();
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
    changing(() -> locked(runId, slot -> {
      store.append(Event.delete(runId));
      slot.gone = true;
      runs.remove(runId, slot);
      slot.changed.signalAll();
      return null;
    }));
  }

  /** Takes one rank's report; returns once it is durable (a retry answers without storing again). */
  public StepOutcome submit(String runId, RankReport report) {
    return changing(() -> locked(runId, slot -> {
      StepOutcome repeat = slot.run.answerIfRepeat(report);
      if (repeat != null) {
        return repeat;
      }
      store.append(Event.report(runId, report));
      StepOutcome outcome = slot.accept(report);
      slot.changed.signalAll();
      return outcome;
    }));
  }

  /**
   * The outcome of {@code step}, waiting up to {@code waitMs} while it is pending; null when
   * nobody reported it (or it left the retained history).
   */
  public StepOutcome awaitOutcome(String runId, long step, long waitMs) {
    return locked(runId, slot -> {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
      while (true) {
        StepOutcome o = slot.run.outcome(step);
        long left = deadline - System.nanoTime();
        if (!(o instanceof StepOutcome.Pending) || left <= 0 || slot.gone) {
          return o;
        }
        try {
          slot.changed.awaitNanos(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return o;
        }
        if (slot.gone) {
          throw new RunNotFoundException(runId);
        }
      }
    });
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
        slot.lock.lock();
        try {
          if (slot.gone) {
            continue;
          }
          store.append(Event.restore(runId, state));
          slot.replace(restored);
          slot.changed.signalAll();
          return RunView.of(restored);
        } finally {
          slot.lock.unlock();
        }
      }
    });
  }

  public RunView rewind(String runId, long step) {
    return changing(() -> locked(runId, slot -> {
      slot.run.checkRewind(step);
      store.append(Event.rewind(runId, step));
      slot.rewind(step);
      slot.changed.signalAll();
      return RunView.of(slot.run);
    }));
  }

  @Override
  public void close() {
    ready = false;
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
    compactIfDue();
    return result;
  }

  /**
   * Rewrites the store as one restore event per run when it has grown enough. A failure is
   * logged, never thrown: the change that triggered it is durable and gets its answer.
   */
  private void compactIfDue() {
    if (store.bytesSinceRewrite() <= compactAt) {
      return;
    }
    compaction.writeLock().lock();
    try {
      if (store.bytesSinceRewrite() <= compactAt) {
        return; // another thread compacted meanwhile
      }
      // one run's state at a time: the snapshot is never all in memory twice
      store.rewrite(() -> runs.entrySet().stream()
          .map(e -> Event.restore(e.getKey(), e.getValue().run.exportState())).iterator());
      compactAt = compactAfter;
    } catch (StoreException e) {
      compactAt = store.bytesSinceRewrite() + compactAfter;
      LOG.log(Level.SEVERE, "compacting the journal failed; tried again once it has grown by " + compactAt
          + " bytes since its last compaction", e);
    } finally {
      compaction.writeLock().unlock();
    }
  }
}
