package dev.coba.core.methods;

import static dev.coba.core.testing.BalancerAssertions.TOL;
import static dev.coba.core.testing.BalancerAssertions.assertAgreesWithNaive;
import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static dev.coba.core.testing.BalancerAssertions.assertValidWeights;
import static dev.coba.core.testing.BalancerAssertions.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories;
import dev.coba.core.testing.RandomHistories.History;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UncertaintyTest {
  private static final List<String> AB = List.of("a", "b");

  /** Validation losses as for the other methods, and training losses for some tasks in some reports. */
  private static final RandomHistories HISTORIES = RandomHistories.METHODS.withTrainLosses();

  private static Report report(long step, Map<String, Double> val, Map<String, Double> train) {
    return new Report(step, val, train, Map.of());
  }

  // ---- hand-computed cases ----

  @Test
  void inverseLossesPreferringTrainingLosses() {
    Balancer unc = Methods.create("uncertainty", AB, Map.of(), null);
    // only a known: uniform
    assertArrayEquals(
        new double[] {0.5, 0.5}, unc.update(Report.of(1, Map.of("a", 1.0))).weights().values(), 0);
    // train a = 1, b = 3 (val ignored where train is given): w = (1, 1/3) / (4/3) = (0.75, 0.25)
    Update u = unc.update(report(2, Map.of("a", 10.0, "b", 10.0), Map.of("a", 1.0, "b", 3.0)));
    assertArrayEquals(new double[] {0.75, 0.25}, u.weights().values(), TOL);
    assertArrayEquals(new double[] {1, 3}, u.taskDiagnostics().get("variances"), 0);
    // a: val 2 (no train); b absent keeps 3: w = (1/2, 1/3) / (5/6) = (0.6, 0.4)
    u = unc.update(Report.of(3, Map.of("a", 2.0)));
    assertArrayEquals(new double[] {0.6, 0.4}, u.weights().values(), TOL);
    // a report with training losses only is fine: a = 4, b = 4 -> equal
    u = unc.update(report(4, Map.of(), Map.of("a", 4.0, "b", 4.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u.weights().values(), TOL);
  }

  @Test
  void zeroLossIsGuardedByEpsilon() {
    Balancer unc =
        Methods.create("uncertainty", AB, Map.of("epsilon", 1e-4), Map.of("a", 1.0, "b", 1.0));
    // a = 0 counts as 1e-4: w = (1e4, 1/3) / (1e4 + 1/3)
    Update u = unc.update(Report.of(1, Map.of("a", 0.0, "b", 3.0)));
    assertEquals(1e4 / (1e4 + 1.0 / 3), u.weights().get("a"), TOL);
    assertEquals((1.0 / 3) / (1e4 + 1.0 / 3), u.weights().get("b"), TOL);
    assertValidWeights(u.weights().values());
  }

  @Test
  void initialLossesCountAsTheFirstLosses() {
    Balancer unc = Methods.create("uncertainty", AB, Map.of(), Map.of("a", 2.0, "b", 1.0));
    // b keeps its initial loss 1; a = 1: equal
    assertArrayEquals(
        new double[] {0.5, 0.5},
        unc.update(Report.of(1, Map.of("a", 1.0))).weights().values(),
        TOL);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list: each task's latest loss found by scanning backwards. */
  static double[] naive(
      List<String> tasks, Map<String, Double> initial, List<Report> seen, double eps) {
    int k = tasks.size();
    double[] inv = new double[k];
    double total = 0;
    for (int i = 0; i < k; i++) {
      String t = tasks.get(i);
      Double loss = initial == null ? null : initial.get(t);
      for (int r = seen.size() - 1; r >= 0; r--) {
        Report rep = seen.get(r);
        Double l =
            rep.trainLosses().containsKey(t) ? rep.trainLosses().get(t) : rep.valLosses().get(t);
        if (l != null) {
          loss = l;
          break;
        }
      }
      if (loss == null) {
        return uniform(k);
      }
      inv[i] = 1 / Math.max(loss, eps);
      total += inv[i];
    }
    for (int i = 0; i < k; i++) {
      inv[i] /= total;
    }
    return inv;
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(81);
    int compared = 0;
    for (int h = 0; h < 400; h++) {
      History hist = HISTORIES.history(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(120));
      double eps = new double[] {1e-8, 1e-3, 1}[rnd.nextInt(3)];
      compared +=
          assertAgreesWithNaive(
              "uncertainty",
              Map.of("epsilon", eps),
              hist,
              seen -> naive(hist.tasks(), hist.initialLosses(), seen, eps),
              "history " + h);
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties (MethodsContractTest checks those every method owes) ----

  @Test
  void extremeLossesStillGivePositiveWeights() {
    // 1e300 next to a zero at the smallest epsilon
    Balancer unc = Methods.create("uncertainty", AB, Map.of("epsilon", 1e-12), null);
    double[] w = unc.update(Report.of(1, Map.of("a", 1e300, "b", 0.0))).weights().values();
    assertTrue(w[0] > 0 && w[1] > 0);
    assertEquals(1, w[0] + w[1], TOL);
  }

  // ---- bad input ----

  @Test
  void refusesBadParams() {
    assertRefused(
        "params.epsilon", () -> Methods.create("uncertainty", AB, Map.of("epsilon", 0.0), null));
  }
}
