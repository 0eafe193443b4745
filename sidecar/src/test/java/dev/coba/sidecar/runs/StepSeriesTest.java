package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Objective;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.run.Run;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepSeriesTest {
  private static final List<String> TASKS = List.of("a", "b", "c");

  /** A step as CoBa answers it, made up: value {@code step} everywhere, slopes only after a warm-up of 10. */
  static Run.CompletedStep step(long step) {
    Map<String, Double> losses = new LinkedHashMap<>();
    TASKS.forEach(t -> losses.put(t, (double) step));
    double[] w = {0.2, 0.3, 0.5};
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("ratios", new double[] {step, step, step});
    perTask.put(
        "slopes",
        step < 10
            ? new double[] {Double.NaN, Double.NaN, Double.NaN}
            : new double[] {step, step, step});
    return new Run.CompletedStep(
        new Report(step, losses, Map.of(), Map.of()),
        new Update(
            step, new Weights(TASKS, w), Objective.LINEAR, perTask, Map.of("df", (double) step)),
        Map.of());
  }

  static StepSeries fed(long from, long to) {
    StepSeries s = new StepSeries(TASKS);
    for (long t = from; t <= to; t++) {
      s.add(t, step(t));
    }
    return s;
  }

  static float[] line(Downsampled d, String chart, int index) {
    return d.charts().stream()
        .filter(c -> c.name().equals(chart))
        .findFirst()
        .orElseThrow()
        .lines()
        .get(index)
        .values();
  }

  @Test
  void aPointPerStepWhileThereIsRoom() {
    Downsampled d = fed(1, 300).downsample(StepSeries.BUCKETS);
    assertEquals(300, d.steps().length);
    assertEquals(1, d.stepsPerPoint());
    assertEquals(
        List.of("weights", "valLosses", "ratios", "slopes", "df"),
        d.charts().stream().map(Downsampled.ChartPoints::name).toList());
    assertEquals(
        List.of("a", "b", "c"),
        d.charts().get(0).lines().stream().map(Downsampled.Line::label).toList());
    assertEquals(
        List.of("df"), d.charts().get(4).lines().stream().map(Downsampled.Line::label).toList());
    assertEquals(0.5, line(d, "weights", 2)[299], 1e-7);
    assertTrue(Double.isNaN(line(d, "slopes", 0)[0]), "no slope before the warm-up");
    assertEquals(10.0, line(d, "slopes", 0)[9]);
  }

  @Test
  void aLongRunStaysWithinTheBucketsAndEndsAtItsLastStep() {
    StepSeries s = fed(1, 300_000);
    assertTrue(
        s.size() >= StepSeries.BUCKETS / 2 && s.size() <= StepSeries.BUCKETS, "size " + s.size());
    assertEquals(1024, s.stepsPerBucket()); // 300,000 / 512 rounded up to a power of two
    Downsampled d = s.downsample(StepSeries.BUCKETS);
    assertEquals(300_000, d.steps()[d.steps().length - 1]);
    for (int i = 0; i < d.steps().length; i++) {
      long step = d.steps()[i];
      assertTrue(i == 0 || step > d.steps()[i - 1]);
      assertEquals(step, line(d, "df", 0)[i], "a point is the value at its own (last) step");
      assertEquals(step, line(d, "valLosses", 1)[i], step * 1e-6);
    }
    Downsampled fewer = s.downsample(100);
    assertTrue(
        fewer.steps().length <= 100 && fewer.steps().length >= 50,
        "points " + fewer.steps().length);
    assertEquals(300_000, fewer.steps()[fewer.steps().length - 1]);
  }

  @Test
  void aBucketKeepsTheLastFiniteValueItSaw() {
    StepSeries s = fed(1, 9); // slopes NaN throughout
    s.add(10, step(10));
    s.add(
        11,
        new Run.CompletedStep(
            step(11).combined(),
            new Update(
                11,
                new Weights(TASKS, new double[] {0.2, 0.3, 0.5}),
                Objective.LINEAR,
                Map.of("slopes", new double[] {Double.NaN, 11, 11}),
                Map.of()),
            Map.of()));
    Downsampled d = s.downsample(2); // 11 buckets in groups of 6: steps 5 and 11
    assertEquals(List.of(5L, 11L), List.of(d.steps()[0], d.steps()[1]));
    assertEquals(10.0, line(d, "slopes", 0)[1], "step 11 has no slope for a: step 10's stands");
    assertEquals(11.0, line(d, "slopes", 1)[1]);
    assertTrue(Double.isNaN(line(d, "slopes", 0)[0]));
  }

  @Test
  void truncatingThenAddingAgainMatchesASeriesThatNeverSawTheLaterSteps() {
    StepSeries s = fed(1, 200);
    s.truncateAfter(120);
    assertEquals(120, s.lastStep());
    for (long t = 121; t <= 150; t++) {
      s.add(t, step(t));
    }
    Downsampled expected = fed(1, 150).downsample(StepSeries.BUCKETS);
    Downsampled got = s.downsample(StepSeries.BUCKETS);
    assertEquals(
        java.util.Arrays.toString(expected.steps()), java.util.Arrays.toString(got.steps()));
    assertEquals(
        java.util.Arrays.toString(line(expected, "df", 0)),
        java.util.Arrays.toString(line(got, "df", 0)));
  }

  /** One step of 1,024 tasks, each per-task chart and a scalar: the run with one report. */
  static Run.CompletedStep wide(long step, List<String> tasks) {
    Map<String, Double> losses = new LinkedHashMap<>();
    tasks.forEach(t -> losses.put(t, 1.0 + step));
    double[] w = new double[tasks.size()];
    java.util.Arrays.fill(w, 1.0 / tasks.size());
    Map<String, double[]> perTask = new LinkedHashMap<>();
    for (String d : List.of("ratios", "slopes", "rcs", "acs")) {
      perTask.put(d, w.clone());
    }
    return new Run.CompletedStep(
        new Report(step, losses, losses, Map.of()),
        new Update(step, new Weights(tasks, w), Objective.LINEAR, perTask, Map.of("df", 0.5)),
        Map.of());
  }

  @Test
  void memoryGrowsWithThePointsHeldNotAllocatedUpFront() {
    List<String> tasks = new java.util.ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      tasks.add("task-" + i);
    }
    StepSeries s = new StepSeries(tasks);
    s.add(1, wide(1, tasks));
    // 7 per-task charts of 1,024 lines and df: a few points' worth, not 512 (about 15 MB)
    long one = s.retainedBytes();
    assertTrue(one < 300_000, "bytes after one step " + one);
    for (long t = 2; t <= 600; t++) {
      s.add(t, wide(t, tasks));
    }
    long full = s.retainedBytes();
    assertTrue(full > 40 * one && full < 16_000_000, "bytes at 512 points " + full);
    long before = s.retainedBytes();
    s.add(601, wide(601, tasks));
    assertEquals(
        before, s.retainedBytes(), "at its capacity the curve merges points instead of growing");
  }

  @Test
  void memoryIsBoundedByTheBucketsWhateverTheLength() {
    StepSeries small = fed(1, 600);
    StepSeries large = fed(1, 200_000);
    assertEquals(small.retainedBytes(), large.retainedBytes());
    // 3 tasks: 4 per-task charts (12 lines) and df: 13 lines of 512 floats, 512 steps
    assertTrue(large.retainedBytes() < 32_000, "bytes " + large.retainedBytes());
  }
}
