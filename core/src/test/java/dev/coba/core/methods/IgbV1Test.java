package dev.coba.core.methods;

import static dev.coba.core.testing.BalancerAssertions.TOL;
import static dev.coba.core.testing.BalancerAssertions.assertAgreesWithNaive;
import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static dev.coba.core.testing.BalancerAssertions.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Objective;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IgbV1Test {
  private static final List<String> AB = List.of("a", "b");

  /** igbv1 reads no initial losses. */
  private static final RandomHistories HISTORIES = RandomHistories.METHODS.withoutInitialLosses();

  // ---- hand-computed cases ----

  @Test
  void secondWindowIsTheBase() {
    Balancer igb = Methods.create("igbv1", AB, Map.of("baseWindow", 2), null);
    assertEquals(Objective.LOG, igb.objective());
    assertEquals(Objective.LOG, Methods.get("igbv1").objective());
    // window 2: reports 1-2 are the first window, 3-4 the base; uniform until the base is complete
    for (int s = 1; s <= 3; s++) {
      Update u = igb.update(Report.of(s, Map.of("a", s == 3 ? 2.0 : 9.0, "b", s == 3 ? 1.0 : 9.0)));
      assertArrayEquals(new double[] {0.5, 0.5}, u.weights().values(), 0);
      assertEquals(Objective.LOG, u.objective());
    }
    // base a = (2 + 4) / 2 = 3, b = (1 + 3) / 2 = 2; l / b = 4/3, 3/2: w_a = 1 / (1 + e^(3/2 -
    // 4/3)) = 1 / (1 + e^(1/6))
    Update u = igb.update(Report.of(4, Map.of("a", 4.0, "b", 3.0)));
    assertArrayEquals(new double[] {3, 2}, u.taskDiagnostics().get("base"), TOL);
    assertArrayEquals(new double[] {4.0 / 3, 1.5}, u.taskDiagnostics().get("normalised"), TOL);
    assertEquals(0.45842951678320015, u.weights().get("a"), TOL);
    // a alone, 1.5: 1.5 / 3 = 0.5; b keeps 3 / 2 = 1.5: w_a = 1 / (1 + e^1)
    u = igb.update(Report.of(5, Map.of("a", 1.5)));
    assertEquals(0.2689414213699951, u.weights().get("a"), TOL);
    // a zero is the task absent: nothing changes
    assertEquals(
        0.2689414213699951, igb.update(Report.of(6, Map.of("a", 0.0))).weights().get("a"), TOL);
  }

  @Test
  void explicitBaseStartAndPerTaskCounting() {
    // baseStart 1, window 2: each task's first two positive losses are its base
    Balancer igb = Methods.create("igbv1", AB, Map.of("baseWindow", 2, "baseStart", 1), null);
    igb.update(Report.of(1, Map.of("a", 1.0, "b", 4.0)));
    // b misses this report, so b's base is not complete yet
    assertArrayEquals(
        new double[] {0.5, 0.5}, igb.update(Report.of(2, Map.of("a", 3.0))).weights().values(), 0);
    // b's second loss 0 does not count either
    assertArrayEquals(
        new double[] {0.5, 0.5}, igb.update(Report.of(3, Map.of("b", 0.0))).weights().values(), 0);
    // base a = 2, b = (4 + 8) / 2 = 6; last a = 3, b = 8: logits 1.5, 4/3 -> w_a = 1 / (1 +
    // e^(-1/6))
    Update u = igb.update(Report.of(4, Map.of("b", 8.0)));
    assertEquals(1 / (1 + Math.exp(-1.0 / 6)), u.weights().get("a"), TOL);
    assertEquals(1 - 0.45842951678320015, u.weights().get("a"), TOL);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list: each task's positive losses, the base slice, the last one. */
  static double[] naive(List<String> tasks, List<Report> seen, int window, int start) {
    int k = tasks.size();
    int from = start == 0 ? window + 1 : start;
    double[] logits = new double[k];
    for (int i = 0; i < k; i++) {
      List<Double> losses = new ArrayList<>();
      for (Report r : seen) {
        Double l = r.valLosses().get(tasks.get(i));
        if (l != null && l > 0) {
          losses.add(l);
        }
      }
      if (losses.size() < from + window - 1) {
        return uniform(k);
      }
      double base = 0;
      for (double l : losses.subList(from - 1, from - 1 + window)) {
        base += l;
      }
      base /= window;
      logits[i] = Math.min(losses.get(losses.size() - 1) / base, 1e12);
    }
    double max = java.util.Arrays.stream(logits).max().orElseThrow();
    double[] w = java.util.Arrays.stream(logits).map(z -> Math.exp(z - max)).toArray();
    double total = java.util.Arrays.stream(w).sum();
    return java.util.Arrays.stream(w).map(v -> v / total).toArray();
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(101);
    int compared = 0;
    for (int h = 0; h < 400; h++) {
      History hist = HISTORIES.history(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(120));
      int window = 1 + rnd.nextInt(15);
      int start = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(20);
      compared +=
          assertAgreesWithNaive(
              "igbv1",
              Map.of("baseWindow", window, "baseStart", start),
              hist,
              seen -> naive(hist.tasks(), seen, window, start),
              "history " + h);
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties (MethodsContractTest checks those every method owes) ----

  @Test
  void aLossSpikeFloorsTheOtherWeight() {
    // a loss 1e6 times its base: the other weight underflows and is floored
    Balancer igb = Methods.create("igbv1", AB, Map.of("baseWindow", 1, "baseStart", 1), null);
    igb.update(Report.of(1, Map.of("a", 1.0, "b", 1.0)));
    double[] w = igb.update(Report.of(2, Map.of("a", 1e6))).weights().values();
    assertTrue(w[1] > 0);
    assertEquals(1, w[0] + w[1], TOL);
  }

  // ---- bad input ----

  @Test
  void refusesBadParams() {
    assertRefused(
        "params.baseWindow", () -> Methods.create("igbv1", AB, Map.of("baseWindow", 0), null));
    assertRefused(
        "params.baseStart", () -> Methods.create("igbv1", AB, Map.of("baseStart", -3), null));
  }
}
