package dev.coba.sidecar.bench;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Params;
import dev.coba.core.Report;
import dev.coba.core.Update;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Map;

/**
 * The speed and footprint of one method in-process: whole runs on fresh balancers to warm
 * the JIT up, then one measured run timing each {@code update} with {@link System#nanoTime},
 * then the heap that finished runs retain.
 */
public final class CoreBenchmark {
  /** Full collections before each heap reading; one is not always enough to settle G1. */
  private static final int GC_ROUNDS = 3;

  private final String method;
  private final List<String> tasks;
  private final Map<String, ?> params;
  private final List<Report> reports;

  /** Keeps results observable so that the JIT cannot drop the work. */
  private double sink;

  public record Result(Params params, LatencySummary latency, long retainedBytesPerRun) {}

  public CoreBenchmark(
      String method, List<String> tasks, Map<String, ?> params, List<Report> reports) {
    this.method = method;
    this.tasks = List.copyOf(tasks);
    this.params = Map.copyOf(params);
    this.reports = List.copyOf(reports);
  }

  /** Creates one balancer first, so that a bad parameter fails before any timing. */
  public Balancer newBalancer() {
    return Methods.create(method, tasks, params, null);
  }

  public Result run(int warmupRuns, int retainedRuns) {
    Params resolved = newBalancer().params();
    for (int r = 0; r < warmupRuns; r++) {
      feed(newBalancer());
    }
    LatencySummary latency = LatencySummary.of(timed(newBalancer()));
    return new Result(resolved, latency, retainedBytesPerRun(retainedRuns));
  }

  private long[] timed(Balancer b) {
    long[] nanos = new long[reports.size()];
    for (int i = 0; i < nanos.length; i++) {
      Report r = reports.get(i);
      long t0 = System.nanoTime();
      Update u = b.update(r);
      nanos[i] = System.nanoTime() - t0;
      sink += u.weights().get(0);
    }
    return nanos;
  }

  private void feed(Balancer b) {
    for (Report r : reports) {
      sink += b.update(r).weights().get(0);
    }
  }

  /**
   * An estimate: used heap after full collections, before and after {@code runs} balancers
   * have each taken every report, divided by {@code runs}. Many runs average out the
   * collector's own noise; the reports are allocated before the first reading.
   */
  long retainedBytesPerRun(int runs) {
    long before = settledUsedHeap();
    Balancer[] kept = new Balancer[runs];
    for (int r = 0; r < runs; r++) {
      kept[r] = newBalancer();
      feed(kept[r]);
    }
    long after = settledUsedHeap();
    Reference.reachabilityFence(kept);
    return (after - before) / runs;
  }

  private static long settledUsedHeap() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < GC_ROUNDS; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Read by callers that want proof that the work was done; also stops dead-code elimination. */
  public double sink() {
    return sink;
  }
}
