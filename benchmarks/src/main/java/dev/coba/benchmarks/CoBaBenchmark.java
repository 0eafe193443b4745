package dev.coba.benchmarks;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of reports to a balancer that has already seen {@code history} reports, K = 9
 * tasks, N = 200 (the target setting). Each iteration prepares a fresh balancer fed
 * {@code history} reports (not timed), then times the next {@value #BATCH} reports, so T
 * stays near the chosen size. The score is microseconds per batch of {@value #BATCH} reports:
 * divide by 1000 for one report.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20, batchSize = CoBaBenchmark.BATCH)
@Measurement(iterations = 30, batchSize = CoBaBenchmark.BATCH)
@Fork(1)
public class CoBaBenchmark {
  private static final int TASKS = 9;
  static final int BATCH = 1000;

  /** {@code coba} (paper), {@code coba-mftcoder}, or {@code uniform} as the floor of the protocol cost. */
  @Param({"coba", "coba-mftcoder", "uniform"})
  public String method;

  @Param({"1000", "10000"})
  public int history;

  private Report[] reports;
  private Balancer balancer;
  private int next;

  @Setup(Level.Trial)
  public void makeReports() {
    reports = SyntheticRun.reports(TASKS, history + 2 * BATCH, 42);
  }

  @Setup(Level.Iteration)
  public void prefill() {
    Map<String, Object> params =
        method.startsWith("coba")
            ? Map.of(
                "variant",
                method.equals("coba") ? "paper" : "mftcoder",
                "warmupSteps",
                20,
                "historyLength",
                200)
            : Map.of();
    balancer =
        Methods.create(
            method.startsWith("coba") ? "coba" : method, SyntheticRun.tasks(TASKS), params, null);
    for (next = 0; next < history; next++) {
      balancer.update(reports[next]);
    }
  }

  @Benchmark
  public Object update() {
    return balancer.update(reports[next++]);
  }
}
