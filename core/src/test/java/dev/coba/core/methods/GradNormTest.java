package dev.coba.core.methods;

import static dev.coba.core.testing.BalancerAssertions.TOL;
import static dev.coba.core.testing.BalancerAssertions.assertAgreesWithNaive;
import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static dev.coba.core.testing.BalancerAssertions.assertRefusedWithoutChange;
import static dev.coba.core.testing.BalancerAssertions.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories;
import dev.coba.core.testing.RandomHistories.History;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GradNormTest {
  private static final List<String> AB = List.of("a", "b");

  /** Validation losses as for the other methods, and a gradient norm for every task at every report. */
  private static final RandomHistories HISTORIES = RandomHistories.METHODS.withGradNorms();

  private static Report report(long step, Map<String, Double> val, Map<String, Double> grad) {
    return new Report(step, val, Map.of(), grad);
  }

  // ---- hand-computed cases ----

  @Test
  void twoStepsByHand() {
    Balancer gn = Methods.create("gradnorm", AB, Map.of(), Map.of("a", 1.0, "b", 1.0));
    // ratios 0.25, 1, mean 0.625 -> r = (0.4, 1.6); w = (.5, .5), g = (2, 1): G = (1, 0.5), mean
    // 0.75
    // targets = 0.75 * 0.4^1.5 = 0.1897..., 0.75 * 1.6^1.5 = 1.5179...
    // G_a > target_a: dL/dw_a = +2; G_b < target_b: dL/dw_b = -1
    // w = (0.5 - 0.025 * 2, 0.5 + 0.025 * 1) = (0.45, 0.525), / 0.975 = (6/13, 7/13)
    Update u = gn.update(report(1, Map.of("a", 0.25, "b", 1.0), Map.of("a", 2.0, "b", 1.0)));
    assertArrayEquals(new double[] {6.0 / 13, 7.0 / 13}, u.weights().values(), TOL);
    assertArrayEquals(
        new double[] {0.18973665961010278, 1.5178932768808222},
        u.taskDiagnostics().get("targets"),
        TOL);
    assertArrayEquals(new double[] {1, 0.5}, u.taskDiagnostics().get("weightedGradNorms"), TOL);
    assertArrayEquals(new double[] {0.4, 1.6}, u.taskDiagnostics().get("relativeRatios"), TOL);
    // same report again: G = (12/13, 7/13), mean 19/26; targets 0.1849, 1.4790: same signs
    // w = (6/13 - 1/20, 7/13 + 1/40) = (107/260, 293/520), sum 507/520 -> (214/507, 293/507)
    u = gn.update(report(2, Map.of("a", 0.25, "b", 1.0), Map.of("a", 2.0, "b", 1.0)));
    assertArrayEquals(new double[] {214.0 / 507, 293.0 / 507}, u.weights().values(), TOL);
    // b absent from valLosses keeps its ratio 1; a = 1 -> ratios (1, 1), r = (1, 1), targets =
    // mean(G);
    // g = (1, 1): G = w, mean 1/2; G_a = 214/507 < 1/2 -> w_a + 0.025, G_b > 1/2 -> w_b - 0.025;
    // sum stays 1
    u = gn.update(report(3, Map.of("a", 1.0), Map.of("a", 1.0, "b", 1.0)));
    assertArrayEquals(
        new double[] {214.0 / 507 + 0.025, 293.0 / 507 - 0.025}, u.weights().values(), TOL);
  }

  @Test
  void balancedStartDoesNotMoveAndUnknownRatiosWait() {
    Balancer gn = Methods.create("gradnorm", AB, Map.of("alpha", 0.0), null);
    // only a has a reference: no step, uniform
    Update u = gn.update(report(0, Map.of("a", 2.0), Map.of("a", 5.0, "b", 1.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u.weights().values(), 0);
    // both ratios 1, g equal: G_i = target_i, sign(0) = 0: no move
    u = gn.update(report(1, Map.of("a", 1.0, "b", 3.0), Map.of("a", 1.0, "b", 1.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u.weights().values(), 0);
    // a huge gradient norm pushes w_a to the floor 1e-12; it stays positive
    u = gn.update(report(2, Map.of("a", 1.0, "b", 3.0), Map.of("a", 1000.0, "b", 1.0)));
    double[] w = u.weights().values();
    assertEquals(1e-12 / (1e-12 + 0.525), w[0], 1e-24);
    assertTrue(w[0] > 0);
  }

  // ---- the naive twin ----

  /** Replays the whole list; each step's ratios found by scanning the reports up to it. */
  static double[] naive(
      List<String> tasks, Map<String, Double> initial, List<Report> seen, double alpha, double lr) {
    int k = tasks.size();
    double[] w = uniform(k);
    for (int s = 0; s < seen.size(); s++) {
      double[] ratio = new double[k];
      boolean all = true;
      for (int i = 0; i < k; i++) {
        ratio[i] = ratioAt(tasks.get(i), initial, seen.subList(0, s + 1));
        all &= !Double.isNaN(ratio[i]);
      }
      if (!all) {
        continue;
      }
      double meanRatio = java.util.Arrays.stream(ratio).average().orElseThrow();
      Map<String, Double> norms = seen.get(s).gradNorms();
      double[] g = tasks.stream().mapToDouble(norms::get).toArray();
      double meanG = 0;
      for (int i = 0; i < k; i++) {
        meanG += w[i] * g[i] / k;
      }
      double[] next = new double[k];
      double total = 0;
      for (int i = 0; i < k; i++) {
        double r = meanRatio == 0 ? 1 : ratio[i] / meanRatio;
        double target = meanG * Math.exp(alpha * Math.log(r));
        if (r == 0) {
          target = alpha == 0 ? meanG : 0;
        }
        double d = w[i] * g[i] - target;
        // d|x|/dx = -1, 0, +1; chain rule: dG_i/dw_i = g_i
        double derivative = (d < 0 ? -1 : d > 0 ? 1 : 0) * g[i];
        next[i] = Math.max(1e-12, w[i] - lr * derivative);
        total += next[i];
      }
      for (int i = 0; i < k; i++) {
        w[i] = next[i] / total;
      }
    }
    return w;
  }

  private static double ratioAt(String task, Map<String, Double> initial, List<Report> reports) {
    Double ref = initial == null ? null : initial.get(task);
    Double last = null;
    for (Report r : reports) {
      Double l = r.valLosses().get(task);
      if (l == null) {
        continue;
      }
      if (ref == null && l > 0) {
        ref = l;
      }
      if (ref != null) {
        last = l;
      }
    }
    return last == null ? Double.NaN : Math.min(last / ref, 1e12);
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(71);
    int compared = 0;
    for (int h = 0; h < 300; h++) {
      History hist = HISTORIES.history(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(100));
      double alpha = new double[] {0, 0.5, 1.5, 3}[rnd.nextInt(4)];
      double lr = new double[] {0.025, 0.001, 0.2}[rnd.nextInt(3)];
      compared +=
          assertAgreesWithNaive(
              "gradnorm",
              Map.of("alpha", alpha, "lr", lr),
              hist,
              seen -> naive(hist.tasks(), hist.initialLosses(), seen, alpha, lr),
              "history " + h);
    }
    assertTrue(compared > 7_000, "compared " + compared);
  }

  // ---- properties: MethodsContractTest checks those every method owes ----

  // ---- bad input ----

  @Test
  void refusesReportsWithoutGradNormsAndLeavesTheStateUnchanged() {
    Balancer gn = Methods.create("gradnorm", AB, Map.of(), null);
    gn.update(report(1, Map.of("a", 1.0, "b", 2.0), Map.of("a", 1.0, "b", 3.0)));
    gn.update(report(2, Map.of("a", 0.5, "b", 2.0), Map.of("a", 1.0, "b", 3.0)));
    InvalidInputException e =
        assertRefusedWithoutChange("gradNorms", gn, Report.of(3, Map.of("a", 0.4, "b", 1.0)));
    assertTrue(e.getMessage().contains("step 3"), e.getMessage());
    e =
        assertRefusedWithoutChange(
            "gradNorms.b", gn, report(3, Map.of("a", 0.4, "b", 1.0), Map.of("a", 1.0)));
    assertTrue(e.getMessage().contains("step 3"), e.getMessage());
    assertRefusedWithoutChange(
        "gradNorms.b",
        gn,
        report(3, Map.of("a", 0.4, "b", 1.0), Map.of("a", 1.0, "b", Double.NaN)));
    assertEquals(2L, gn.lastStep());
    // the same step, complete, is then accepted
    gn.update(report(3, Map.of("a", 0.4, "b", 1.0), Map.of("a", 1.0, "b", 3.0)));
  }

  @Test
  void refusesBadParams() {
    assertRefused(
        "params.alpha", () -> Methods.create("gradnorm", AB, Map.of("alpha", -1.5), null));
    assertRefused("params.lr", () -> Methods.create("gradnorm", AB, Map.of("lr", "fast"), null));
  }
}
