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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DwaTest {
  private static final List<String> AB = List.of("a", "b");

  // ---- hand-computed cases ----

  @Test
  void lastTwoLossesOfEachTask() {
    Balancer dwa = Methods.create("dwa", AB, Map.of(), null);
    // one loss per task: uniform
    assertArrayEquals(
        new double[] {0.5, 0.5},
        dwa.update(Report.of(1, Map.of("a", 1.0, "b", 1.0))).weights().values(),
        0);
    // ratios a = 0.5/1 = 0.5, b = 1/1 = 1; T = 2: logits 0.25, 0.5; w_a = e^.25 / (e^.25 + e^.5) =
    // 1 / (1 + e^.25)
    Update u = dwa.update(Report.of(2, Map.of("a", 0.5, "b", 1.0)));
    assertArrayEquals(new double[] {0.5, 1}, u.taskDiagnostics().get("ratios"), TOL);
    assertEquals(0.43782349911420193, u.weights().get("a"), TOL);
    assertEquals(1 / (1 + Math.exp(0.25)), u.weights().get("a"), TOL);
    // b alone, 2: ratio 2/1 = 2, logit 1; a keeps 0.25: w_a = 1 / (1 + e^.75)
    assertEquals(
        0.320821300824607, dwa.update(Report.of(4, Map.of("b", 2.0))).weights().get("a"), TOL);
    // a = 0 is ignored (it would make a's next ratio infinite): nothing changes
    assertEquals(
        0.320821300824607, dwa.update(Report.of(5, Map.of("a", 0.0))).weights().get("a"), TOL);
    // a = 1: a's last two positive losses are 0.5, 1 -> ratio 2 = b's: equal weights
    assertArrayEquals(
        new double[] {0.5, 0.5},
        dwa.update(Report.of(6, Map.of("a", 1.0))).weights().values(),
        TOL);
  }

  @Test
  void initialLossIsTheFirstPointAndTemperatureSharpens() {
    Balancer dwa =
        Methods.create("dwa", AB, Map.of("temperature", 0.5), Map.of("a", 2.0, "b", 1.0));
    // ratios a = 1/2 = 0.5, b = 1.5/1 = 1.5; T = 0.5: logits 1, 3; w_a = 1 / (1 + e^2) =
    // 0.11920292202211755
    Update u = dwa.update(Report.of(1, Map.of("a", 1.0, "b", 1.5)));
    assertEquals(0.11920292202211755, u.weights().get("a"), TOL);
    assertEquals(1 - 0.11920292202211755, u.weights().get("b"), TOL);
  }

  @Test
  void weightsSumToOneNotK() {
    // the DWA paper's lambda = K * softmax(...) sums to K = 3; ours is softmax(...) and sums to 1
    Balancer dwa =
        Methods.create(
            "dwa", List.of("a", "b", "c"), Map.of(), Map.of("a", 1.0, "b", 1.0, "c", 1.0));
    double[] w = dwa.update(Report.of(1, Map.of("a", 1.0, "b", 1.0, "c", 1.0))).weights().values();
    assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, w, TOL);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list: each task's positive losses, in order, then the softmax. */
  static double[] naive(
      List<String> tasks, Map<String, Double> initial, List<Report> seen, double temperature) {
    int k = tasks.size();
    double[] logits = new double[k];
    for (int i = 0; i < k; i++) {
      List<Double> history = new ArrayList<>();
      if (initial != null && initial.containsKey(tasks.get(i))) {
        history.add(initial.get(tasks.get(i)));
      }
      for (Report r : seen) {
        Double l = r.valLosses().get(tasks.get(i));
        if (l != null && l > 0) {
          history.add(l);
        }
      }
      int n = history.size();
      if (n < 2) {
        return uniform(k);
      }
      logits[i] = Math.min(history.get(n - 1) / history.get(n - 2), 1e12) / temperature;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double z : logits) {
      max = Math.max(max, z);
    }
    double total = 0;
    double[] w = new double[k];
    for (int i = 0; i < k; i++) {
      w[i] = Math.exp(logits[i] - max);
      total += w[i];
    }
    for (int i = 0; i < k; i++) {
      w[i] /= total;
    }
    return w;
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(51);
    int compared = 0;
    for (int h = 0; h < 400; h++) {
      History hist = METHODS.history(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(120));
      double temperature = new double[] {0.1, 1, 2, 10}[rnd.nextInt(4)];
      compared +=
          assertAgreesWithNaive(
              "dwa",
              Map.of("temperature", temperature),
              hist,
              seen -> naive(hist.tasks(), hist.initialLosses(), seen, temperature),
              "history " + h);
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties: MethodsContractTest checks those every method owes ----

  // ---- bad input ----

  @Test
  void refusesBadTemperature() {
    for (double t : new double[] {-2, 0}) {
      assertRefused(
          "params.temperature", () -> Methods.create("dwa", AB, Map.of("temperature", t), null));
    }
  }
}
