package dev.coba.core.methods;

import static dev.coba.core.testing.BalancerAssertions.TOL;
import static dev.coba.core.testing.BalancerAssertions.assertAgreesWithNaive;
import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static dev.coba.core.testing.BalancerAssertions.uniform;
import static dev.coba.core.testing.RandomHistories.METHODS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories.History;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LbtwTest {
  private static final List<String> AB = List.of("a", "b");

  // ---- hand-computed cases ----

  @Test
  void ratiosQuarterAndOneGiveOneThirdTwoThirds() {
    Balancer lbtw = Methods.create("lbtw", AB, Map.of(), Map.of("a", 4.0, "b", 2.0));
    // ratios a = 1/4 = 0.25, b = 2/2 = 1; b = 0.5: 0.25^0.5 = 0.5, 1^0.5 = 1; w = (0.5, 1) / 1.5
    Update u = lbtw.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3}, u.weights().values(), TOL);
    assertArrayEquals(new double[] {0.25, 1}, u.taskDiagnostics().get("ratios"), TOL);
    // b alone: its ratio 0.5/2 = 0.25; a keeps 0.25 -> equal weights
    u = lbtw.update(Report.of(2, Map.of("b", 0.5)));
    assertArrayEquals(new double[] {0.5, 0.5}, u.weights().values(), TOL);
    // b = 8: ratio 4, 4^0.5 = 2; a: 0.5 -> w = (0.5, 2) / 2.5 = (0.2, 0.8)
    u = lbtw.update(Report.of(5, Map.of("b", 8.0)));
    assertArrayEquals(new double[] {0.2, 0.8}, u.weights().values(), TOL);
  }

  @Test
  void firstPositiveLossIsTheReferenceAndUniformUntilEveryTaskHasOne() {
    Balancer lbtw = Methods.create("lbtw", AB, Map.of("b", 1.0), null);
    // only a has a reference: uniform
    assertArrayEquals(
        new double[] {0.5, 0.5},
        lbtw.update(Report.of(0, Map.of("a", 2.0))).weights().values(),
        TOL);
    // b = 0 gives no reference: still uniform
    assertArrayEquals(
        new double[] {0.5, 0.5},
        lbtw.update(Report.of(1, Map.of("a", 1.0, "b", 0.0))).weights().values(),
        TOL);
    // b's reference is 3 (ratio 1), a's ratio 1/2; b = 1: w = (0.5, 1) / 1.5
    assertArrayEquals(
        new double[] {1.0 / 3, 2.0 / 3},
        lbtw.update(Report.of(2, Map.of("b", 3.0))).weights().values(),
        TOL);
    // a = 0 after its reference: ratio 0, clamped to 1e-12: w_a = 1e-12 / (1 + 1e-12), still
    // positive
    double[] w = lbtw.update(Report.of(3, Map.of("a", 0.0))).weights().values();
    assertEquals(1e-12 / (1 + 1e-12), w[0], 1e-24);
    assertTrue(w[0] > 0);
  }

  @Test
  void exponentZeroIsUniform() {
    Balancer lbtw = Methods.create("lbtw", AB, Map.of("b", 0.0), Map.of("a", 1.0, "b", 1.0));
    assertArrayEquals(
        new double[] {0.5, 0.5},
        lbtw.update(Report.of(1, Map.of("a", 0.1, "b", 3.0))).weights().values(),
        0);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list of reports: reference and last loss found by scanning. */
  static double[] naive(
      List<String> tasks, Map<String, Double> initial, List<Report> seen, double b) {
    double[] terms = new double[tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      String t = tasks.get(i);
      Double ref = initial == null ? null : initial.get(t);
      int refAt = -1;
      if (ref == null) {
        for (int r = 0; r < seen.size() && ref == null; r++) {
          Double l = seen.get(r).valLosses().get(t);
          if (l != null && l > 0) {
            ref = l;
            refAt = r;
          }
        }
      }
      if (ref == null) {
        return uniform(tasks.size());
      }
      Double lastLoss = null;
      for (int r = seen.size() - 1; r >= Math.max(refAt, 0) && lastLoss == null; r--) {
        lastLoss = seen.get(r).valLosses().get(t);
      }
      if (lastLoss == null) {
        return uniform(tasks.size());
      }
      double ratio = Math.min(Math.max(lastLoss / ref, 1e-12), 1e12);
      terms[i] = Math.exp(b * Math.log(ratio));
    }
    double total = 0;
    for (double v : terms) {
      total += v;
    }
    for (int i = 0; i < terms.length; i++) {
      terms[i] /= total;
    }
    return terms;
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(41);
    int compared = 0;
    for (int h = 0; h < 400; h++) {
      History hist = METHODS.history(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(120));
      double b = new double[] {0, 0.5, 1, 2.5}[rnd.nextInt(4)];
      compared +=
          assertAgreesWithNaive(
              "lbtw",
              Map.of("b", b),
              hist,
              seen -> naive(hist.tasks(), hist.initialLosses(), seen, b),
              "history " + h);
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties: MethodsContractTest checks those every method owes ----

  // ---- bad input ----

  @Test
  void refusesBadParams() {
    assertRefused("params.b", () -> Methods.create("lbtw", AB, Map.of("b", -0.5), null));
  }
}
