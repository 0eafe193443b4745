package dev.coba.sidecar.runs;

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
 * <p>Memory: a float per line and a long per bucket, for the buckets in use: the arrays start
 * at {@link #FIRST_CAPACITY} buckets and double while the run fills them, up to {@link #BUCKETS}
 * (then pairs merge in place), so a run with one step holds a few points' worth, not 512 (at
 * 1,024 tasks that was 15 MB up front). At most 2 KB per line and 4 KB for the steps, whatever
 * the run's length. Each chart is one array, bucket after bucket (a bucket's lines side by side):
 * one object per chart, not per line. {@link #retainedBytes()} is what the registry charges to
 * its memory budget.
 */
public final class StepSeries {
  /** Buckets per run: 256 to 512 points, about one per pixel of a chart. */
  public static final int BUCKETS = 512;

  /** Buckets the arrays have room for at first (a power of two, at most {@link #BUCKETS}). */
  static final int FIRST_CAPACITY = 4;

  /** Bytes of an array's header, of a chart's objects (its map entry, its name), of the series' own (JOL-measured). */
  private static final long ARRAY = 16;

  private static final long CHART = 144;
  private static final long SERIES = 256;

  private final List<String> tasks;
  private long[] steps = new long[0];
  private final Map<String, Chart> charts = new LinkedHashMap<>();
  private int capacity;
  private int filled;
  private long span = 1;
  private long inLast;

  /**
   * One chart: a line per task, or one for a scalar ({@code width} lines); value of line
   * {@code i} at bucket {@code b} at {@code values[b * width + i]}, NaN where missing.
   */
  private static final class Chart {
    final boolean perTask;
    final int width;
    float[] values;

    Chart(boolean perTask, int width, int capacity) {
      this.perTask = perTask;
      this.width = width;
      this.values = new float[capacity * width];
      Arrays.fill(values, Float.NaN);
    }

    float get(int line, int bucket) {
      return values[bucket * width + line];
    }
  }

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

  /** What the series takes on the heap: its arrays (headers included) and a chart's small objects. */
  public long retainedBytes() {
    long bytes = SERIES + ARRAY + 8L * capacity;
    for (Chart c : charts.values()) {
      bytes += CHART + ARRAY + 4L * capacity * c.width;
    }
    return bytes;
  }

  /**
   * How much {@link #retainedBytes()} may grow by the next {@link #add}, charts seen so far: the
   * arrays double when the next step opens a bucket and they are full (a chart that appears only
   * then is not foreseen).
   */
  public long growthOfNextAdd() {
    boolean opens = filled == 0 || inLast >= span;
    if (!opens || filled < capacity || capacity == BUCKETS) {
      return 0;
    }
    long more = nextCapacity() - capacity;
    long lines = 0;
    for (Chart c : charts.values()) {
      lines += c.width;
    }
    return more * (8L + 4L * lines);
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
    charts.forEach(
        (name, chart) -> {
          List<Downsampled.Line> lines = new ArrayList<>();
          for (int i = 0; i < chart.width; i++) {
            String label = chart.perTask ? tasks.get(i) : name;
            lines.add(new Downsampled.Line(label, grouped(chart, i, n, group)));
          }
          out.add(new Downsampled.ChartPoints(name, chart.perTask, lines));
        });
    return new Downsampled(group * span, outSteps, out);
  }

  private float[] grouped(Chart chart, int line, int n, int group) {
    float[] out = new float[n];
    for (int k = 0; k < n; k++) {
      int end = filled - 1 - (n - 1 - k) * group;
      int start = Math.max(0, end - group + 1);
      float v = Float.NaN;
      for (int b = end; b >= start && Float.isNaN(v); b--) {
        v = chart.get(line, b);
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
    } else if (filled == capacity) {
      grow(nextCapacity());
    }
    int b = filled++;
    inLast = 1;
    for (Chart c : charts.values()) {
      Arrays.fill(c.values, b * c.width, (b + 1) * c.width, Float.NaN);
    }
    return b;
  }

  private int nextCapacity() {
    return capacity == 0 ? FIRST_CAPACITY : Math.min(BUCKETS, capacity * 2);
  }

  /** Room for more buckets: bucket after bucket, so a copy keeps every value in its place. */
  private void grow(int newCapacity) {
    steps = Arrays.copyOf(steps, newCapacity);
    for (Chart c : charts.values()) {
      c.values = Arrays.copyOf(c.values, newCapacity * c.width);
    }
    capacity = newCapacity;
  }

  private void mergePairs() {
    for (int i = 0; i < BUCKETS / 2; i++) {
      steps[i] = steps[2 * i + 1];
      for (Chart c : charts.values()) {
        float[] v = c.values;
        int w = c.width;
        for (int j = 0; j < w; j++) {
          float later = v[(2 * i + 1) * w + j];
          v[i * w + j] = Float.isNaN(later) ? v[2 * i * w + j] : later;
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
    Chart chart = chart(name, true, tasks.size());
    if (chart == null) {
      return;
    }
    for (int i = 0; i < tasks.size(); i++) {
      put(chart, i, b, byTask.get(tasks.get(i)));
    }
  }

  private void perTask(int b, String name, double[] values) {
    Chart chart = chart(name, true, tasks.size());
    if (chart == null) {
      return;
    }
    for (int i = 0; i < tasks.size() && i < values.length; i++) {
      put(chart, i, b, values[i]);
    }
  }

  private void scalar(int b, String name, Double value) {
    Chart chart = chart(name, false, 1);
    if (chart != null) {
      put(chart, 0, b, value);
    }
  }

  /** Chart {@code name}, made on first sight (all NaN so far); null if the name is taken by the other kind. */
  private Chart chart(String name, boolean perTask, int width) {
    Chart chart = charts.computeIfAbsent(name, n -> new Chart(perTask, width, capacity));
    return chart.perTask == perTask ? chart : null;
  }

  /** Keeps a finite value; a missing or non-finite one leaves what the bucket had. */
  private static void put(Chart chart, int line, int b, Double value) {
    if (value != null && Double.isFinite(value)) {
      chart.values[b * chart.width + line] = value.floatValue();
    }
  }
}
