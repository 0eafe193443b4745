package dev.coba.core.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FamoTest {
  private static final double TOL = 1e-12;
  private static final ObjectMapper JSON = new ObjectMapper();
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
    // carries on: m_a = 0.9 * 0.025 + 0.1 * -0.00025 = 0.022475, v_a = 0.999 * 6.25e-5 + 0.001 * 6.25e-8,
    // m_hat = m / 0.19, v_hat = v / 0.001999: xi_a = -0.025 - 0.025 * 0.118289 / 0.176729 = -0.0417328
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
    assertValid(u.weights().values());
    assertValid(famo.update(Report.of(2, Map.of("a", 1.0, "b", 0.0))).weights().values());
  }

  // ---- the naive twin ----

  /**
   * Replays the whole list: the full reports (the initial losses first when all given), one
   * textbook Adam step (bias-corrected moments) per consecutive pair, from zero logits.
   */
  static double[] naive(List<String> tasks, Map<String, Double> initial, List<Report> seen, double lr, double wd) {
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
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      double lr = new double[] {0.025, 0.1, 0.001}[rnd.nextInt(3)];
      double wd = new double[] {0.01, 0, 0.5}[rnd.nextInt(3)];
      Balancer famo = Methods.create("famo", tasks, Map.of("lr", lr, "weightDecay", wd), init);
      List<Report> seen = new ArrayList<>();
      for (Report r : reports(rnd, tasks, 1 + rnd.nextInt(100), !init.isEmpty())) {
        seen.add(r);
        double[] w = famo.update(r).weights().values();
        assertArrayEquals(naive(tasks, init, seen, lr, wd), w, TOL, "history " + h + " step " + r.step());
        compared++;
      }
    }
    assertTrue(compared > 7_000, "compared " + compared);
  }

  // ---- properties ----

  @Test
  void weightsArePositiveAndSumToOne() {
    Random rnd = new Random(62);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(1 + rnd.nextInt(8));
      Balancer famo = Methods.create("famo", tasks, Map.of("lr", 10.0 * rnd.nextDouble(), "weightDecay", 0.0), null);
      for (Report r : reports(rnd, tasks, 300, false)) {
        assertValid(famo.update(r).weights().values());
      }
    }
  }

  @Test
  void permutingTasksPermutesWeights() {
    Random rnd = new Random(63);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(5));
      List<String> shuffled = new ArrayList<>(tasks);
      Collections.shuffle(shuffled, rnd);
      Map<String, Double> init = initial(rnd, tasks);
      Balancer x = Methods.create("famo", tasks, Map.of(), init);
      Balancer y = Methods.create("famo", shuffled, Map.of(), init);
      for (Report r : reports(rnd, tasks, 60, !init.isEmpty())) {
        Map<String, Double> wx = x.update(r).weights().asMap();
        Map<String, Double> wy = y.update(r).weights().asMap();
        for (String t : tasks) {
          assertEquals(wx.get(t), wy.get(t), TOL);
        }
      }
    }
  }

  @Test
  void restoredRunContinuesBitIdentically() throws Exception {
    Random rnd = new Random(65);
    for (int h = 0; h < 50; h++) {
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      Balancer run = Methods.create("famo", tasks, Map.of("lr", 0.05), init);
      List<Report> reports = reports(rnd, tasks, 60 + rnd.nextInt(40), !init.isEmpty());
      int cut = rnd.nextInt(reports.size() - 50);
      for (Report r : reports.subList(0, cut)) {
        run.update(r);
      }
      Balancer restored = roundTrip(run);
      assertEquals(run.exportState(), restored.exportState());
      for (Report r : reports.subList(cut, reports.size())) {
        assertArrayEquals(run.update(r).weights().values(), restored.update(r).weights().values(), 0.0);
      }
    }
  }

  // ---- bad input ----

  @Test
  void refusesBadParamsAndEmptyReportsWithoutChangingState() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Methods.create("famo", AB, Map.of("lr", -0.1), null));
    assertEquals("params.lr", e.field());
    e = assertThrows(InvalidInputException.class, () -> Methods.create("famo", AB, Map.of("weightDecay", -1), null));
    assertEquals("params.weightDecay", e.field());
    Balancer famo = Methods.create("famo", AB, Map.of(), null);
    famo.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    famo.update(Report.of(2, Map.of("a", 0.5, "b", 2.0)));
    BalancerState before = famo.exportState();
    e = assertThrows(InvalidInputException.class, () -> famo.update(Report.of(3, Map.of())));
    assertEquals("valLosses", e.field());
    e = assertThrows(InvalidInputException.class, () -> famo.update(Report.of(3, Map.of("a", 1.0, "c", 1.0))));
    assertEquals("valLosses.c", e.field());
    assertEquals(before, famo.exportState());
  }

    // ---- helpers (each method's test is self-contained) ----

  static List<String> names(int k) {
    List<String> t = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      t.add("task" + i);
    }
    return t;
  }

  static Map<String, Double> initial(Random rnd, List<String> tasks) {
    Map<String, Double> init = new LinkedHashMap<>();
    if (rnd.nextBoolean()) {
      for (String t : tasks) {
        if (rnd.nextDouble() < 0.8) {
          init.put(t, Math.exp(rnd.nextGaussian()));
        }
      }
    }
    return init;
  }

  /** Noisy decaying losses, some tasks overfitting, irregular gaps, tasks missing, the odd zero. */
  static List<Report> reports(Random rnd, List<String> tasks, int count, boolean afterStepZero) {
    int k = tasks.size();
    double[] scale = new double[k];
    double[] rate = new double[k];
    double[] turn = new double[k];
    for (int i = 0; i < k; i++) {
      scale[i] = Math.exp(rnd.nextGaussian() * 2);
      rate[i] = 0.001 + rnd.nextDouble() * 0.05;
      turn[i] = rnd.nextDouble() < 0.3 ? rnd.nextInt(200) : Double.POSITIVE_INFINITY;
    }
    double missing = rnd.nextBoolean() ? 0 : rnd.nextDouble() * 0.4;
    boolean gaps = rnd.nextBoolean();
    long step = afterStepZero ? 1 + rnd.nextInt(3) : rnd.nextInt(3);
    List<Report> out = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      Map<String, Double> val = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        if (rnd.nextDouble() < missing) {
          continue;
        }
        double loss = scale[i] * (0.2 + Math.exp(-rate[i] * step)) * (1 + 0.05 * rnd.nextGaussian());
        if (step > turn[i]) {
          loss += scale[i] * 0.002 * (step - turn[i]);
        }
        val.put(tasks.get(i), rnd.nextDouble() < 0.01 ? 0.0 : Math.max(0, loss));
      }
      if (val.isEmpty()) {
        val.put(tasks.get(rnd.nextInt(k)), scale[0]);
      }
      out.add(Report.of(step, val));
      step += gaps ? 1 + rnd.nextInt(7) : 1;
    }
    return out;
  }

  static Balancer roundTrip(Balancer b) throws Exception {
    String json = JSON.writeValueAsString(b.exportState());
    return Methods.restore(JSON.readValue(json, BalancerState.class));
  }

  static double[] uniform(int k) {
    double[] w = new double[k];
    java.util.Arrays.fill(w, 1.0 / k);
    return w;
  }

  static void assertValid(double[] w) {
    double sum = 0;
    for (double v : w) {
      assertTrue(v > 0 && Double.isFinite(v), "weight " + v);
      sum += v;
    }
    assertEquals(1, sum, TOL);
  }
}
