package dev.coba.sidecar.runs;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunConflictException;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import dev.coba.core.run.StepOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A long-poll is a future parked on the run ({@link LongPolls}), not a thread: the change
 * that ends its wait completes it once the run's lock is released.
 *
 * <p>Memory has a bound: each run's estimated size ({@link RunFootprint}) is charged to the
 * {@link MemoryBudget}, and a create, a report or a restored state that would take it past its
 * limit is refused ({@link MemoryBudgetException}) before anything is stored. Replay charges
 * what was acknowledged before without refusing it.
 */
public final class RunRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunRegistry.class);

  /** Compact once the journal has grown by this much since the last compaction... */
  static final long COMPACT_AFTER_BYTES = 64L << 20;

  private final Store store;
  private final RegistryLimits limits;
  private final ConcurrentSkipListMap<String, RunSlot> runs = new ConcurrentSkipListMap<>();
  private final ReentrantReadWriteLock compaction = new ReentrantReadWriteLock();
  private final long compactAfter;
  private final MemoryBudget budget;
  private final Recovery recovery = new Recovery();
  private final LongPolls polls = new LongPolls();

  /** Growth at which the next compaction is tried: {@link #compactAfter}, pushed on by a failed one. */
  private volatile long compactAt;

  private volatile boolean ready;

  private RunRegistry(Store store, RegistryLimits limits, long compactAfter) {
    this.store = store;
    this.limits = limits;
    this.compactAfter = compactAfter;
    this.budget = new MemoryBudget(limits.memoryBudget());
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
    warnIfOverBudget();
    compactIfDue();
    ready = true;
  }

  /** Replay charged what was acknowledged before: over the limit, new runs and growth are refused until runs go. */
  private void warnIfOverBudget() {
    if (budget.used() > budget.limit()) {
      LOG.warn(
          "the runs replayed take about "
              + MemoryBudget.human(budget.used())
              + ", over the memory budget of "
              + MemoryBudget.human(budget.limit())
              + ": new runs and reports that grow a run are refused (507) until"
              + " runs are deleted; raise --memory-budget (and the heap) to take them");
    }
  }

  /** The memory budget and what the runs are estimated to hold now. */
  public MemoryBudget budget() {
    return budget;
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
    long need =
        Footprint.run(
            spec); // refuses a bad method, tasks or parameters as creating would, allocating
    // nothing
    if (need
        > budget.limit()) { // could never fit: refused before even comparing with an existing run
      throw refuseRun(spec, need);
    }
    return changing(
        () -> {
          while (true) {
            RunSlot existing = runs.get(spec.runId());
            if (existing != null) {
              existing.lock.lock();
              try {
                if (!existing.gone) {
                  if (!existing.run.sameDefinition(spec)) {
                    throw new RunConflictException(
                        "runId",
                        "run '"
                            + spec.runId()
                            + "' exists with another definition; delete it first or use another runId");
                  }
                  return new CreateResult(RunView.of(existing.run), false);
                }
              } finally {
                existing.lock.unlock();
              }
              continue; // it was being deleted: look again
            }
            budget.reserve(
                need, () -> refuseRun(spec, need)); // before the method's state is allocated
            boolean kept = false;
            try {
              Run run = Run.create(spec, limits.maxHistory());
              if (runs.size() >= limits.maxRuns()) {
                throw new RunConflictException(
                    "runId",
                    "the sidecar holds "
                        + runs.size()
                        + " runs, its limit; delete finished runs or raise --max-runs");
              }
              RunSlot slot = new RunSlot(run, limits.maxHistory());
              slot.lock.lock();
              try {
                if (runs.putIfAbsent(spec.runId(), slot) != null) {
                  continue; // created concurrently: compare with that one
                }
                appendOrForget(Event.create(spec), slot);
                budget.adjust(slot.recharge() - need);
                kept = true;
                return new CreateResult(RunView.of(run), true);
              } finally {
                slot.lock.unlock();
              }
            } finally {
              if (!kept) {
                budget.adjust(-need);
              }
            }
          }
        });
  }

  private MemoryBudgetException refuseRun(RunSpec spec, long need) {
    return budget.refusal(
        "tasks",
        "run '"
            + spec.runId()
            + "' ("
            + spec.tasks().size()
            + " tasks, method "
            + spec.method()
            + ")",
        need);
  }

  /**
   * Refuses, before anything is allocated for it, a run that could never fit the memory budget
   * (and a bad method, tasks or parameters, as creating the run would).
   */
  public void checkCouldFit(RunSpec spec) {
    long need = Footprint.run(spec);
    if (need > budget.limit()) {
      throw refuseRun(spec, need);
    }
  }

  public RunView get(String runId) {
    return reading(runId, RunView::of);
  }

  /** Runs ordered by id, after {@code after} (exclusive; null: from the first). */
  public RunPage list(String after, int limit) {
    NavigableMap<String, RunSlot> rest = after == null ? runs : runs.tailMap(after, false);
    List<RunView> page = new ArrayList<>();
    String last = null;
    for (var e : rest.entrySet()) {
      if (page.size() == limit) {
        return new RunPage(page, last);
      }
      RunSlot slot = e.getValue();
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
    Waiters.Wake.fireAll(
        changing(
            () ->
                locked(
                    runId,
                    slot -> {
                      store.append(Event.delete(runId));
                      slot.gone = true;
                      runs.remove(runId, slot);
                      budget.adjust(-slot.charged());
                      return slot.waiters.takeAll(new RunNotFoundException(runId));
                    })));
  }

  /** Takes one rank's report; returns once it is durable (a retry answers without storing again). */
  public StepOutcome submit(String runId, RankReport report) {
    List<Waiters.Wake> wakes = new ArrayList<>(0);
    StepOutcome outcome =
        changing(
            () ->
                locked(
                    runId,
                    slot -> {
                      StepOutcome repeat = slot.run.answerIfRepeat(report);
                      if (repeat != null) {
                        return repeat;
                      }
                      long need = slot.forecast(report);
                      budget.reserve(
                          need,
                          () ->
                              budget.refusal(
                                  "step",
                                  "step "
                                      + report.step()
                                      + " of run '"
                                      + runId
                                      + "' ("
                                      + slot.run.spec().tasks().size()
                                      + " tasks, up to "
                                      + limits.maxHistory()
                                      + " steps retained)",
                                  need));
                      try {
                        store.append(Event.report(runId, report));
                      } catch (RuntimeException e) {
                        budget.adjust(-need);
                        throw e;
                      }
                      StepOutcome accepted;
                      try {
                        accepted = slot.accept(report);
                      } finally {
                        budget.adjust(slot.recharge() - need);
                      }
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
    return locked(
        runId,
        slot -> {
          StepOutcome now = slot.run.outcome(step);
          if (!(now instanceof StepOutcome.Pending) || waitMs <= 0 || !polls.parking()) {
            return CompletableFuture.completedFuture(now);
          }
          return polls.park(slot, step, waitMs);
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
    polls.stopParking(runs.values());
  }

  /** Long-polls parked now, over every run. */
  public int waitingPolls() {
    return polls.waiting();
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
      throw new InvalidInputException(
          "run.runId",
          "the state is of run '"
              + (state.run() == null ? null : state.run().runId())
              + "', not '"
              + runId
              + "'");
    }
    long least = Footprint.run(state.run());
    if (least
        > budget.limit()) { // could never fit: refused before the state is replayed into a run
      throw refuseState(runId, state, least);
    }
    RunSlot fresh = new RunSlot(Run.restore(state, limits.maxHistory()), limits.maxHistory());
    long need = fresh.footprint.total();
    return changing(
        () -> {
          while (true) {
            RunSlot slot = runs.get(runId);
            if (slot == null) {
              if (runs.size() >= limits.maxRuns()) {
                throw new RunConflictException(
                    "runId", "the sidecar holds " + runs.size() + " runs, its limit");
              }
              budget.reserve(need, () -> refuseState(runId, state, need));
              fresh.lock.lock();
              try {
                if (runs.putIfAbsent(runId, fresh) != null) {
                  budget.adjust(-need);
                  continue;
                }
                try {
                  appendOrForget(Event.restore(runId, state), fresh);
                } catch (RuntimeException e) {
                  budget.adjust(-need);
                  throw e;
                }
                budget.adjust(fresh.recharge() - need);
                return RunView.of(fresh.run);
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
              long more = need - slot.charged(); // the run it replaces goes
              budget.reserve(more, () -> refuseState(runId, state, more));
              try {
                store.append(Event.restore(runId, state));
              } catch (RuntimeException e) {
                budget.adjust(-more);
                throw e;
              }
              slot.adopt(fresh);
              budget.adjust(slot.recharge() - more);
              wakes = slot.waiters.takeDone(slot.run);
              return RunView.of(slot.run);
            } finally {
              slot.lock.unlock();
              Waiters.Wake.fireAll(wakes);
            }
          }
        });
  }

  private MemoryBudgetException refuseState(String runId, RunState state, long need) {
    return budget.refusal(
        "run",
        "run '"
            + runId
            + "' restored from this state ("
            + state.run().tasks().size()
            + " tasks, "
            + state.reports().size()
            + " reports)",
        need);
  }

  public RunView rewind(String runId, long step) {
    List<Waiters.Wake> wakes = new ArrayList<>(0);
    RunView view =
        changing(
            () ->
                locked(
                    runId,
                    slot -> {
                      slot.run.checkRewind(step);
                      store.append(Event.rewind(runId, step));
                      try {
                        slot.rewind(step);
                      } finally {
                        budget.adjust(slot.recharge()); // a rewind only drops steps: never refused
                      }
                      wakes.addAll(slot.waiters.takeDone(slot.run));
                      return RunView.of(slot.run);
                    }));
    Waiters.Wake.fireAll(wakes);
    return view;
  }

  @Override
  public void close() {
    ready = false;
    polls.close();
    store.close();
  }

  /**
   * Applies one stored event at start-up, through the same calls as a live request; charges the
   * budget without refusing (it was acknowledged).
   */
  private void recover(Event e) {
    try {
      e.accept(recovery);
    } catch (RuntimeException ex) {
      // only a bug stores an event that cannot be applied; the rest of the journal still counts
      LOG.error(
          "journal event " + e.kind() + " of run " + e.runId() + " could not be replayed", ex);
    }
  }

  /** What each kind of stored event does at start-up. */
  private final class Recovery implements Event.Visitor {
    @Override
    public void create(Event.Create e) {
      install(
          e.runId(),
          new RunSlot(Run.create(e.spec().toCore(), limits.maxHistory()), limits.maxHistory()));
    }

    @Override
    public void report(Event.Report e) {
      RankReport report = e.report().toCore();
      RunSlot slot = runs.get(e.runId());
      try {
        if (slot.run.answerIfRepeat(report) == null) {
          slot.accept(report);
        }
      } finally {
        budget.adjust(slot.recharge());
      }
    }

    @Override
    public void rewind(Event.Rewind e) {
      RunSlot slot = runs.get(e.runId());
      try {
        slot.rewind(e.step());
      } finally {
        budget.adjust(slot.recharge());
      }
    }

    @Override
    public void restore(Event.Restore e) {
      install(
          e.runId(),
          new RunSlot(Run.restore(e.state().toCore(), limits.maxHistory()), limits.maxHistory()));
    }

    @Override
    public void delete(Event.Delete e) {
      install(e.runId(), null);
    }
  }

  /** At start-up: {@code slot} (null: none) takes the run's place, charged; what it replaces is released. */
  private void install(String runId, RunSlot slot) {
    RunSlot before = slot == null ? runs.remove(runId) : runs.put(runId, slot);
    if (before != null) {
      budget.adjust(-before.charged());
    }
    if (slot != null) {
      budget.adjust(slot.recharge());
    }
  }

  /** Appends the event that makes a new slot real; if the store fails, the slot never existed. */
  private void appendOrForget(Event event, RunSlot slot) {
    try {
      store.append(event);
    } catch (RuntimeException ex) {
      slot.gone = true;
      runs.remove(event.runId(), slot);
      throw ex;
    }
  }

  private <T> T locked(String runId, Function<RunSlot, T> action) {
    RunSlot slot = runs.get(runId);
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
      store.rewrite(
          () ->
              runs.entrySet().stream()
                  .map(e -> Event.restore(e.getKey(), e.getValue().run.exportState()))
                  .iterator());
      compactAt = compactAfter;
    } catch (StoreException e) {
      compactAt = store.bytesSinceRewrite() + compactAfter;
      LOG.error(
          "compacting the journal failed; tried again once it has grown by "
              + compactAt
              + " bytes since its last compaction",
          e);
    } finally {
      compaction.writeLock().unlock();
    }
  }
}
