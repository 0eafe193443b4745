package dev.coba.core.methods;

import static dev.coba.core.testing.BalancerAssertions.assertAgreesWithNaive;
import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static dev.coba.core.testing.BalancerAssertions.assertValidWeights;
import static dev.coba.core.testing.RandomHistories.METHODS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FamoTest {
  private static final List<String> AB = List.of("a", "b");

  // ---- hand-computed cases ----

  @Test
  void firstStepMovesEachLogitByTheLearningRate() {
    Balancer famo = Methods.create("famo", AB, Map.of(), null);
    // the first full report only records the losses
    Update u = famo.update(Report.of(1, Map.of("a", 1.0, "b", 1.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u.weights().values(), 0);
    assertNull(u.taskDiagnostics().get("delta"));
    // delta = (log(1 + 1e-8) - log(e^-1 + 1e-8), 0) ~ (1, 0); z = (.5, .5), z.delta ~ 0.5
    // grad = z * (delta - z.delta) ~ (0.25, -0.25); weight decay adds 0.01 * xi = 0.
    // Adam step 1: m = 0.1 g, v = 0.001 g^2, m_hat = g, v_hat = g^2,
    // xi -= 0.025 * g / (|g| + 1e-8) = (-0.025, 0.025) up to 1e-9
    // w_a = 1 / (1 + e^0.05) = 0.4875026035157896
    u = famo.update(Report.of(2, Map.of("a", Math.exp(-1), "b", 1.0)));
    assertEquals(1, u.taskDiagnostics().get("delta")[0], 1e-7);
    assertEquals(0, u.taskDiagnostics().get("delta")[1], 0);
    assertArrayEquals(new double[] {-0.025, 0.025}, u.taskDiagnostics().get("logits"), 1e-8);
    assertEquals(0.4875026035157896, u.weights().get("a"), 1e-9);
    // no change in the losses: delta = 0, grad = 0.01 * xi = (-0.00025, 0.00025), but momentum
    // carries on: m_a = 0.9 * 0.025 + 0.1 * -0.00025 = 0.022475, v_a = 0.999 * 6.25e-5 + 0.001 *
    // 6.25e-8,
    // m_hat = m / 0.19, v_hat = v / 0.001999: xi_a = -0.025 - 0.025 * 0.118289 / 0.176729 =
    // -0.0417328
    u = famo.update(Report.of(3, Map.of("a", Math.exp(-1), "b", 1.0)));
    assertEquals(-0.04173283330297824, u.taskDiagnostics().get("logits")[0], 1e-8);
    assertEquals(0.4791456887700516, u.weights().get("a"), 1e-8);
  }

  @Test
  void partialReportsChangeNothingAndInitialLossesCountAsStepZero() {
    Balancer famo = Methods.create("famo", AB, Map.of(), Map.of("a", 1.0, "b", 1.0));
    // the initial losses are a full report: the first report takes a step
    Update u = famo.update(Report.of(1, Map.of("a", Math.exp(-1), "b", 1.0)));
    assertArrayEquals(new double[] {-0.025, 0.025}, u.taskDiagnostics().get("logits"), 1e-8);
    double[] w = u.weights().values();
    BalancerState before = famo.exportState();
    // b is missing: no step; the weights stay
    u = famo.update(Report.of(2, Map.of("a", 5.0)));
    assertArrayEquals(w, u.weights().values(), 0);
    assertNull(u.taskDiagnostics().get("delta"));
    assertEquals(before.data().get("logits"), famo.exportState().data().get("logits"));
    // the next full report measures delta from the last full one (step 1), not from a = 5
    u = famo.update(Report.of(3, Map.of("a", Math.exp(-2), "b", 1.0)));
    assertEquals(1, u.taskDiagnostics().get("delta")[0], 1e-7);
  }

  @Test
  void zeroLossesStayFinite() {
    Balancer famo = Methods.create("famo", AB, Map.of(), Map.of("a", 1.0, "b", 1.0));
    // log(0 + 1e-8) = -18.42: finite delta, finite logits
    Update u = famo.update(Report.of(1, Map.of("a", 0.0, "b", 1.0)));
    assertEquals(Math.log(1 + 1e-8) - Math.log(1e-8), u.taskDiagnostics().get("delta")[0], 1e-12);
    assertValidWeights(u.weights().values());
    assertValidWeights(famo.update(Report.of(2, Map.of("a", 1.0, "b", 0.0))).weights().values());
  }

  // ---- the naive twin ----

  /**
   * Replays the whole list: the full reports (the initial losses first when all given), one
   * textbook Adam step (bias-corrected moments) per consecutive pair, from zero logits.
   */
  static double[] naive(
      List<String> tasks, Map<String, Double> initial, List<Report> seen, double lr, double wd) {
    int k = tasks.size();
    List<double[]> full = new ArrayList<>();
    if (initial != null && initial.keySet().containsAll(tasks)) {
      full.add(tasks.stream().mapToDouble(initial::get).toArray());
    }
    for (Report r : seen) {
      if (r.valLosses().keySet().containsAll(tasks)) {
        full.add(tasks.stream().mapToDouble(t -> r.valLosses().get(t)).toArray());
      }
    }
    double[] xi = new double[k];
    double[] m = new double[k];
    double[] v = new double[k];
    for (int s = 1; s < full.size(); s++) {
      double[] z = softmax(xi);
      double[] delta = new double[k];
      for (int i = 0; i < k; i++) {
        delta[i] = Math.log((full.get(s - 1)[i] + 1e-8) / (full.get(s)[i] + 1e-8));
      }
      // the Jacobian of softmax, written out: J[i][j] = z_i (i == j) - z_i z_j; grad = J^T delta
      double[] grad = new double[k];
      for (int j = 0; j < k; j++) {
        for (int i = 0; i < k; i++) {
          grad[j] += delta[i] * (z[i] * (i == j ? 1 : 0) - z[i] * z[j]);
        }
      }
      for (int i = 0; i < k; i++) {
        double g = grad[i] + wd * xi[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.999 * v[i] + 0.001 * g * g;
        double mHat = m[i] / (1 - Math.pow(0.9, s));
        double vHat = v[i] / (1 - Math.pow(0.999, s));
        xi[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
      }
    }
    return softmax(xi);
  }

  private static double[] softmax(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double[] e = new double[x.length];
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      e[i] = Math.exp(x[i] - max);
      total += e[i];
    }
    for (int i = 0; i < x.length; i++) {
      e[i] /= total;
    }
    return e;
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(61);
    int compared = 0;
    for (int h = 0; h < 300; h++) {
      History hist = METHODS.history(rnd, 1 + rnd.nextInt(5), 1 + rnd.nextInt(100));
      double lr = new double[] {0.025, 0.1, 0.001}[rnd.nextInt(3)];
      double wd = new double[] {0.01, 0, 0.5}[rnd.nextInt(3)];
      compared +=
          assertAgreesWithNaive(
              "famo",
              Map.of("lr", lr, "weightDecay", wd),
              hist,
              seen -> naive(hist.tasks(), hist.initialLosses(), seen, lr, wd),
              "history " + h);
    }
    assertTrue(compared > 7_000, "compared " + compared);
  }

  // ---- properties: MethodsContractTest checks those every method owes ----

  // ---- bad input ----

  @Test
  void refusesBadParams() {
    assertRefused("params.lr", () -> Methods.create("famo", AB, Map.of("lr", -0.1), null));
    assertRefused(
        "params.weightDecay", () -> Methods.create("famo", AB, Map.of("weightDecay", -1), null));
  }
}
