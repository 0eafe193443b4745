package dev.coba.core.coba;

import static dev.coba.core.testing.RandomHistories.COBA;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Properties the spec promises of CoBa, on random histories, for both variants; those every
 * method owes (valid weights, permutation, scale freedom, restore, refused reports) are
 * {@code MethodsContractTest}'s.
 */
class CoBaPropertiesTest {
  private static Map<String, Object> params(String variant, int warmup, int history) {
    return Map.of("variant", variant, "warmupSteps", warmup, "historyLength", history);
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void uniformDuringWarmup(String variant) {
    Random rnd = new Random(5);
    for (int h = 0; h < 100; h++) {
      History hist = CoBaHistories.draw(rnd, variant);
      int warmup = 3 + rnd.nextInt(60);
      Balancer coba =
          Methods.create(
              "coba",
              hist.tasks(),
              params(variant, warmup, Math.max(warmup, 10)),
              hist.initialLosses());
      int n = 0; // reports so far, this one included: warm-up counts reports, whatever the steps
      for (Report r : hist.reports()) {
        double[] w = coba.update(r).weights().values();
        n++;
        if (n + 1 < warmup) {
          for (double v : w) {
            assertEquals(1.0 / w.length, v, 0.0);
          }
        }
      }
    }
  }

  /** The weights after each report, the i-th report (0-based) re-stepped to {@code step.applyAsLong(i)}. */
  private static List<double[]> weightsAtSteps(
      History hist, Map<String, Object> params, LongUnaryOperator step) {
    Balancer coba = Methods.create("coba", hist.tasks(), params, hist.initialLosses());
    List<double[]> out = new ArrayList<>();
    List<Report> reports = hist.reports();
    for (int i = 0; i < reports.size(); i++) {
      out.add(
          coba.update(Report.of(step.applyAsLong(i), reports.get(i).valLosses()))
              .weights()
              .values());
    }
    return out;
  }

  private static void assertSameWeights(
      List<double[]> expected, List<double[]> actual, double tol, String where) {
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), tol, where + ", report " + i);
    }
  }

  @Test
  void paperWeightsDependOnTheReportsNotOnEvenlySpacedStepNumbers() {
    // Warm-up counts reports, and the slopes' x is the step: steps c, 2c, 3c, ... scale every
    // slope by 1/c, and RCS, ACS and DF are all scale-free. The step-0 point of initialLosses
    // sits at x = 0, which scaling keeps in place, so this holds with and without them;
    // an offset (steps 1001, 1002, ...) changes nothing only without them (see the next test).
    Random rnd = new Random(9);
    for (int h = 0; h < 400; h++) {
      History hist = COBA.history(rnd, 1 + rnd.nextInt(6), 1 + rnd.nextInt(150));
      Map<String, Object> p =
          new LinkedHashMap<>(
              Map.of(
                  "warmupSteps",
                  rnd.nextInt(12),
                  "historyLength",
                  2 + rnd.nextInt(15),
                  "tau",
                  new double[] {0, 1, 5, 20}[rnd.nextInt(4)]));
      List<double[]> consecutive = weightsAtSteps(hist, p, i -> i + 1);
      String where =
          "history " + h + " " + p + (hist.initialLosses().isEmpty() ? "" : " with initial losses");
      assertSameWeights(
          consecutive,
          weightsAtSteps(hist, p, i -> 10 * (i + 1)),
          1e-12,
          where + ", steps 10, 20, ...");
      assertSameWeights(
          consecutive,
          weightsAtSteps(hist, p, i -> 50 * (i + 1)),
          1e-12,
          where + ", steps 50, 100, ...");
      if (hist.initialLosses().isEmpty()) {
        assertSameWeights(
            consecutive,
            weightsAtSteps(hist, p, i -> 1001 + 3 * i),
            1e-12,
            where + ", steps 1001, 1004, ...");
      }
    }
  }

  @Test
  void withInitialLossesAnOffsetOfTheStepsDoesChangeThePaperSlopes() {
    // the step-0 point stays at x = 0: reports at 101, 102 put it 100 steps before the first.
    // steps 1, 2: slopes (-.1, -.05) as in the hand-computed cases. Steps 101, 102: x (0, 101,
    // 102),
    // sum (x - 67.67)^2 = 6868.67;
    // a: y (1, .9, .8) -> -10.2/6868.67 = -.001485; b: y (1, 1, .9) -> -3.4333/6868.67 = -.000500.
    Map<String, Object> p = Map.of("warmupSteps", 0, "historyLength", 3);
    Map<String, Double> init = Map.of("a", 2.0, "b", 4.0);
    History hist =
        new History(
            List.of("a", "b"),
            init,
            List.of(
                Report.of(1, Map.of("a", 1.8, "b", 4.0)),
                Report.of(2, Map.of("a", 1.6, "b", 3.6))));
    double[] near = weightsAtSteps(hist, p, i -> i + 1).get(1);
    double[] far = weightsAtSteps(hist, p, i -> i + 101).get(1);
    double s = 1 / (1 + Math.exp(2.0 / 3)); // sigmoid(-2/3)
    assertArrayEquals(new double[] {s, 1 - s}, near, 1e-12);
    double sa =
        NaiveCoBa.olsSlopeOfLast(
            List.of(new long[] {0}, new long[] {101}, new long[] {102}), List.of(1.0, 0.9, 0.8), 3);
    double sb =
        NaiveCoBa.olsSlopeOfLast(
            List.of(new long[] {0}, new long[] {101}, new long[] {102}), List.of(1.0, 1.0, 0.9), 3);
    assertEquals(-0.001485, sa, 1e-6);
    assertEquals(-0.000500, sb, 1e-6);
    double logit =
        2 * (sa - sb) / (Math.abs(sa) + Math.abs(sb)); // RCS logit gap; DF = 1 as at steps 1, 2
    assertEquals(1 / (1 + Math.exp(-logit)), far[0], 1e-12);
    assertTrue(Math.abs(far[0] - near[0]) > 0.05, "offset steps " + far[0] + " vs " + near[0]);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 50})
  void mftcoderWeightsDependOnlyOnTheSequenceOfReports(long gap) {
    // x is a present point's rank and warm-up counts reports: the step numbers change no bit
    Random rnd = new Random(10 + gap);
    for (int h = 0; h < 200; h++) {
      History hist = CoBaHistories.draw(rnd, "mftcoder");
      int warmup = 3 + rnd.nextInt(10);
      Map<String, Object> p = params("mftcoder", warmup, warmup + rnd.nextInt(10));
      List<double[]> consecutive = weightsAtSteps(hist, p, i -> i + 1);
      long seed = rnd.nextLong();
      Random gaps = new Random(seed);
      long[] steps = new long[hist.reports().size()];
      for (int i = 0; i < steps.length; i++) {
        steps[i] = (i == 0 ? 0 : steps[i - 1]) + 1 + (gap == 1 ? gaps.nextInt(100) : gap - 1);
      }
      assertSameWeights(
          consecutive, weightsAtSteps(hist, p, i -> steps[(int) i]), 0.0, "history " + h + " " + p);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7})
  void constantSlopesGiveDfOne(int gap) {
    // losses falling on straight lines: every slope, so every amax, is constant
    Balancer coba =
        Methods.create(
            "coba",
            List.of("a", "b", "c"),
            Map.of("warmupSteps", 0, "historyLength", 5),
            Map.of("a", 1.0, "b", 1.0, "c", 1.0));
    for (int s = 1; s <= 200; s++) {
      long t = (long) s * gap;
      Update u =
          coba.update(
              Report.of(t, Map.of("a", 1 - 0.0001 * t, "b", 1 - 0.0002 * t, "c", 1 - 0.00005 * t)));
      assertEquals(1.0, u.diagnostics().get("df"), 1e-9, "step " + t);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void aDivergingTasksWeightFalls(String variant) {
    // three tasks converge steadily; task "d" converges, then turns upward at step 100
    Balancer coba =
        Methods.create(
            "coba",
            List.of("a", "b", "c", "d"),
            params(variant, 10, 20),
            Map.of("a", 2.0, "b", 2.0, "c", 2.0, "d", 2.0));
    Random rnd = new Random(6);
    double before = 0;
    double after = 0;
    for (int t = 1; t <= 160; t++) {
      Map<String, Double> losses = new HashMap<>();
      for (String task : List.of("a", "b", "c")) {
        losses.put(task, 2 * Math.exp(-0.005 * t) * (1 + 0.002 * rnd.nextGaussian()));
      }
      double d = t <= 100 ? 2 * Math.exp(-0.01 * t) : 2 * Math.exp(-1.0) * (1 + 0.004 * (t - 100));
      losses.put("d", d * (1 + 0.002 * rnd.nextGaussian()));
      double w = coba.update(Report.of(t, losses)).weights().get("d");
      if (t == 100) {
        before = w;
      }
      if (t == 160) {
        after = w;
      }
    }
    assertTrue(
        after < 0.6 * before && after < 0.25,
        "weight of the diverging task: " + before + " at step 100, " + after + " at 160");
  }
}
