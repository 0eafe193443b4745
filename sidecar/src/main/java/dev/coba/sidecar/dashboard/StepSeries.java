package dev.coba.sidecar.dashboard;

import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.run.Run;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The whole curve of one run in bounded memory, for the dashboard: the registry retains only
 * the last {@code --max-history} steps, a chart wants every step since the first.
 *
 * <p>The rule: at most {@link #BUCKETS} buckets, each covering the same number of consecutive
 * completed steps ({@link #stepsPerBucket()}, a power of two). When every bucket is full, each
 * pair of neighbours merges into one and the span doubles, so a run of any length holds between
 * {@code BUCKETS / 2} and {@code BUCKETS} points once it has that many steps. A bucket keeps its
 * last step and, per line, the last finite value it saw: every point is a value the method
 * really answered at a real step (no averaging that would invent one), and the last point is
 * always the newest step, so it agrees with the current weights. Values are floats: plenty for
 * a chart, half the memory.
 *
 * <p>Lines are whatever the steps bring: the weights, the combined losses reported, the
 * method's per-task and scalar diagnostics. A line that appears later (a diagnostic that exists
 * only after a warm-up) is missing (NaN) before. Not thread-safe: the registry calls it under
 * the run's lock.
 *
 * <p>Memory: 2 KB per line and 4 KB for the steps, whatever the run's length. Measured on the
 * heap: 135 KB for CoBa with 9 tasks and both losses reported (64 lines), 31 KB with 3 tasks and
 * validation losses only; against about 5 MB of retained history per run (RegistryLimits).
 */
public final class StepSeries {
  /** Buckets per run: 256 to 512 points, about one per pixel of a chart. */
  public static final int BUCKETS = 512;

  private final List<String> tasks;
  private final long[] steps = new long[BUCKETS];
  private final Map<String, Chart> charts = new LinkedHashMap<>();
  private int filled;
  private long span = 1;
  private long inLast;

  /** One chart's lines: one per task, or one for a scalar; a float per bucket, NaN where missing. */
  private record Chart(boolean perTask, float[][] lines) {}

  public StepSeries(List<String> tasks) {
    this.tasks = List.copyOf(tasks);
  }

  /** A series of every retained step of {@code history}, oldest first (a restored or replayed run). */
  public static StepSeries of(List<String> tasks, NavigableMap<Long, Run.CompletedStep> history) {
    StepSeries series = new StepSeries(tasks);
    history.forEach(series::add);
    return series;
  }

  /** Adds a completed step; steps come in increasing order. */
  public void add(long step, Run.CompletedStep done) {
    int b = openBucket();
    steps[b] = step;
    Report r = done.combined();
    Update u = done.update();
    perTask(b, "weights", u.weights().values());
    perTask(b, "valLosses", r.valLosses());
    perTask(b, "trainLosses", r.trainLosses());
    perTask(b, "gradNorms", r.gradNorms());
    u.taskDiagnostics().forEach((name, values) -> perTask(b, name, values));
    u.diagnostics().forEach((name, value) -> scalar(b, name, value));
  }

  /**
   * Forgets every point after {@code step} (a rewind); the caller then adds the retained steps
   * after the new last point. A bucket that straddles {@code step} goes as a whole.
   */
  public void truncateAfter(long step) {
    while (filled > 0 && steps[filled - 1] > step) {
      filled--;
    }
    inLast = span; // the last kept bucket is closed: what comes next starts a new one
  }

  /** The last step held, or -1 when none. */
  public long lastStep() {
    return filled == 0 ? -1 : steps[filled - 1];
  }

  /** Completed steps each bucket covers. */
  public long stepsPerBucket() {
    return span;
  }

  /** Points held now. */
  public int size() {
    return filled;
  }

  /** What the arrays take on the heap (array headers included; the few small objects aside). */
  public long retainedBytes() {
    long bytes = 16L + 8L * BUCKETS;
    for (Chart c : charts.values()) {
      bytes += 16L + 8L * c.lines().length + c.lines().length * (16L + 4L * BUCKETS);
    }
    return bytes;
  }

  /**
   * At most {@code points} points: groups of neighbouring buckets, counted from the newest so
   * that the last point is always the newest step, each keeping its last step and per line the
   * last finite value, as buckets do.
   */
  public Downsampled downsample(int points) {
    int group = filled <= points ? 1 : (filled + points - 1) / points;
    int n = (filled + group - 1) / group;
    long[] outSteps = new long[n];
    for (int k = 0; k < n; k++) {
      outSteps[k] = steps[filled - 1 - (n - 1 - k) * group];
    }
    List<Downsampled.ChartPoints> out = new ArrayList<>();
    charts.forEach((name, chart) -> {
      List<Downsampled.Line> lines = new ArrayList<>();
      for (int i = 0; i < chart.lines().length; i++) {
        String label = chart.perTask() ? tasks.get(i) : name;
        lines.add(new Downsampled.Line(label, grouped(chart.lines()[i], n, group)));
      }
      out.add(new Downsampled.ChartPoints(name, chart.perTask(), lines));
    });
    return new Downsampled(group * span, outSteps, out);
  }

  private float[] grouped(float[] line, int n, int group) {
    float[] out = new float[n];
    for (int k = 0; k < n; k++) {
      int end = filled - 1 - (n - 1 - k) * group;
      int start = Math.max(0, end - group + 1);
      float v = Float.NaN;
      for (int b = end; b >= start && Float.isNaN(v); b--) {
        v = line[b];
      }
      out[k] = v;
    }
    return out;
  }

  /** The bucket the next step goes into: the last one while it has room, else a new (cleared) one. */
  private int openBucket() {
    if (filled > 0 && inLast < span) {
      inLast++;
      return filled - 1;
    }
    if (filled == BUCKETS) {
      mergePairs();
    }
    int b = filled++;
    inLast = 1;
    for (Chart c : charts.values()) {
      for (float[] line : c.lines()) {
        line[b] = Float.NaN;
      }
    }
    return b;
  }

  private void mergePairs() {
    for (int i = 0; i < BUCKETS / 2; i++) {
      steps[i] = steps[2 * i + 1];
      for (Chart c : charts.values()) {
        for (float[] line : c.lines()) {
          float later = line[2 * i + 1];
          line[i] = Float.isNaN(later) ? line[2 * i] : later;
        }
      }
    }
    filled = BUCKETS / 2;
    span *= 2;
  }

  private void perTask(int b, String name, Map<String, Double> byTask) {
    if (byTask.isEmpty()) {
      return;
    }
    float[][] lines = lines(name, true, tasks.size());
    if (lines == null) {
      return;
    }
    for (int i = 0; i < tasks.size(); i++) {
      put(lines[i], b, byTask.get(tasks.get(i)));
    }
  }

  private void perTask(int b, String name, double[] values) {
    float[][] lines = lines(name, true, tasks.size());
    if (lines == null) {
      return;
    }
    for (int i = 0; i < tasks.size() && i < values.length; i++) {
      put(lines[i], b, values[i]);
    }
  }

  private void scalar(int b, String name, Double value) {
    float[][] lines = lines(name, false, 1);
    if (lines != null) {
      put(lines[0], b, value);
    }
  }

  /** The lines of chart {@code name}, made on first sight; null if the name is taken by the other kind. */
  private float[][] lines(String name, boolean perTask, int count) {
    Chart chart = charts.computeIfAbsent(name, n -> {
      float[][] lines = new float[count][BUCKETS];
      for (float[] line : lines) {
        Arrays.fill(line, Float.NaN);
      }
      return new Chart(perTask, lines);
    });
    return chart.perTask() == perTask ? chart.lines() : null;
  }

  /** Keeps a finite value; a missing or non-finite one leaves what the bucket had. */
  private static void put(float[] line, int b, Double value) {
    if (value != null && Double.isFinite(value)) {
      line[b] = value.floatValue();
    }
  }
}
