package dev.coba.core.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class GradNormTest {
  private static final double TOL = 1e-12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> AB = List.of("a", "b");

  private static Report report(long step, Map<String, Double> val, Map<String, Double> grad) {
    return new Report(step, val, Map.of(), grad);
  }

  // ---- hand-computed cases ----

  @Test
  void twoStepsByHand() {
    Balancer gn = Methods.create("gradnorm", AB, Map.of(), Map.of("a", 1.0, "b", 1.0));
    // ratios 0.25, 1, mean 0.625 -> r = (0.4, 1.6); w = (.5, .5), g = (2, 1): G = (1, 0.5), mean 0.75
    // targets = 0.75 * 0.4^1.5 = 0.1897..., 0.75 * 1.6^1.5 = 1.5179...
    // G_a > target_a: dL/dw_a = +2; G_b < target_b: dL/dw_b = -1
    // w = (0.5 - 0.025 * 2, 0.5 + 0.025 * 1) = (0.45, 0.525), / 0.975 = (6/13, 7/13)
    Update u = gn.update(report(1, Map.of("a", 0.25, "b", 1.0), Map.of("a", 2.0, "b", 1.0)));
    assertArrayEquals(new double[] {6.0 / 13, 7.0 / 13}, u.weights().values(), TOL);
    assertArrayEquals(new double[] {0.18973665961010278, 1.5178932768808222}, u.taskDiagnostics().get("targets"), TOL);
    assertArrayEquals(new double[] {1, 0.5}, u.taskDiagnostics().get("weightedGradNorms"), TOL);
    assertArrayEquals(new double[] {0.4, 1.6}, u.taskDiagnostics().get("relativeRatios"), TOL);
    // same report again: G = (12/13, 7/13), mean 19/26; targets 0.1849, 1.4790: same signs
    // w = (6/13 - 1/20, 7/13 + 1/40) = (107/260, 293/520), sum 507/520 -> (214/507, 293/507)
    u = gn.update(report(2, Map.of("a", 0.25, "b", 1.0), Map.of("a", 2.0, "b", 1.0)));
    assertArrayEquals(new double[] {214.0 / 507, 293.0 / 507}, u.weights().values(), TOL);
    // b absent from valLosses keeps its ratio 1; a = 1 -> ratios (1, 1), r = (1, 1), targets = mean(G);
    // g = (1, 1): G = w, mean 1/2; G_a = 214/507 < 1/2 -> w_a + 0.025, G_b > 1/2 -> w_b - 0.025; sum stays 1
    u = gn.update(report(3, Map.of("a", 1.0), Map.of("a", 1.0, "b", 1.0)));
    assertArrayEquals(new double[] {214.0 / 507 + 0.025, 293.0 / 507 - 0.025}, u.weights().values(), TOL);
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
  static double[] naive(List<String> tasks, Map<String, Double> initial, List<Report> seen, double alpha, double lr) {
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
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      double alpha = new double[] {0, 0.5, 1.5, 3}[rnd.nextInt(4)];
      double lr = new double[] {0.025, 0.001, 0.2}[rnd.nextInt(3)];
      Balancer gn = Methods.create("gradnorm", tasks, Map.of("alpha", alpha, "lr", lr), init);
      List<Report> seen = new ArrayList<>();
      for (Report r : reports(rnd, tasks, 1 + rnd.nextInt(100), !init.isEmpty())) {
        seen.add(r);
        double[] w = gn.update(r).weights().values();
        assertArrayEquals(naive(tasks, init, seen, alpha, lr), w, TOL, "history " + h + " step " + r.step());
        compared++;
      }
    }
    assertTrue(compared > 7_000, "compared " + compared);
  }

  // ---- properties ----

  @Test
  void weightsArePositiveAndSumToOne() {
    Random rnd = new Random(72);
    for (int h = 0; h < 200; h++) {
      List<String> tasks = names(1 + rnd.nextInt(8));
      Balancer gn = Methods.create("gradnorm", tasks, Map.of("lr", 10.0 * rnd.nextDouble()), null);
      for (Report r : reports(rnd, tasks, 80, false)) {
        assertValid(gn.update(r).weights().values());
      }
    }
  }

  @Test
  void permutingTasksPermutesWeights() {
    Random rnd = new Random(73);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(5));
      List<String> shuffled = new ArrayList<>(tasks);
      Collections.shuffle(shuffled, rnd);
      Map<String, Double> init = initial(rnd, tasks);
      Balancer x = Methods.create("gradnorm", tasks, Map.of(), init);
      Balancer y = Methods.create("gradnorm", shuffled, Map.of(), init);
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
    Random rnd = new Random(75);
    for (int h = 0; h < 50; h++) {
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      Balancer run = Methods.create("gradnorm", tasks, Map.of("lr", 0.01), init);
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
  void refusesReportsWithoutGradNormsAndLeavesTheStateUnchanged() {
    Balancer gn = Methods.create("gradnorm", AB, Map.of(), null);
    gn.update(report(1, Map.of("a", 1.0, "b", 2.0), Map.of("a", 1.0, "b", 3.0)));
    gn.update(report(2, Map.of("a", 0.5, "b", 2.0), Map.of("a", 1.0, "b", 3.0)));
    BalancerState before = gn.exportState();
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> gn.update(Report.of(3, Map.of("a", 0.4, "b", 1.0))));
    assertEquals("gradNorms", e.field());
    assertTrue(e.getMessage().contains("step 3"), e.getMessage());
    e = assertThrows(InvalidInputException.class,
        () -> gn.update(report(3, Map.of("a", 0.4, "b", 1.0), Map.of("a", 1.0))));
    assertEquals("gradNorms.b", e.field());
    assertTrue(e.getMessage().contains("step 3"), e.getMessage());
    e = assertThrows(InvalidInputException.class,
        () -> gn.update(report(3, Map.of("a", 0.4, "b", 1.0), Map.of("a", 1.0, "b", Double.NaN))));
    assertEquals("gradNorms.b", e.field());
    assertEquals(before, gn.exportState());
    assertEquals(2L, gn.lastStep());
    // the same step, complete, is then accepted
    gn.update(report(3, Map.of("a", 0.4, "b", 1.0), Map.of("a", 1.0, "b", 3.0)));
  }

  @Test
  void refusesBadParams() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> Methods.create("gradnorm", AB, Map.of("alpha", -1.5), null));
    assertEquals("params.alpha", e.field());
    e = assertThrows(InvalidInputException.class, () -> Methods.create("gradnorm", AB, Map.of("lr", "fast"), null));
    assertEquals("params.lr", e.field());
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

  /**
   * Noisy decaying losses, some tasks overfitting, irregular gaps, tasks missing from valLosses,
   * the odd zero; gradNorms for every task at every report, shrinking with the loss.
   */
  static List<Report> reports(Random rnd, List<String> tasks, int count, boolean afterStepZero) {
    int k = tasks.size();
    double[] scale = new double[k];
    double[] rate = new double[k];
    double[] turn = new double[k];
    double[] gscale = new double[k];
    for (int i = 0; i < k; i++) {
      scale[i] = Math.exp(rnd.nextGaussian() * 2);
      rate[i] = 0.001 + rnd.nextDouble() * 0.05;
      turn[i] = rnd.nextDouble() < 0.3 ? rnd.nextInt(200) : Double.POSITIVE_INFINITY;
      gscale[i] = Math.exp(rnd.nextGaussian());
    }
    double missing = rnd.nextBoolean() ? 0 : rnd.nextDouble() * 0.4;
    boolean gaps = rnd.nextBoolean();
    long step = afterStepZero ? 1 + rnd.nextInt(3) : rnd.nextInt(3);
    List<Report> out = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      Map<String, Double> val = new LinkedHashMap<>();
      Map<String, Double> grad = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        double decay = 0.2 + Math.exp(-rate[i] * step);
        grad.put(tasks.get(i), gscale[i] * decay * Math.exp(0.3 * rnd.nextGaussian()));
        if (rnd.nextDouble() < missing) {
          continue;
        }
        double loss = scale[i] * decay * (1 + 0.05 * rnd.nextGaussian());
        if (step > turn[i]) {
          loss += scale[i] * 0.002 * (step - turn[i]);
        }
        val.put(tasks.get(i), rnd.nextDouble() < 0.01 ? 0.0 : Math.max(0, loss));
      }
      if (val.isEmpty()) {
        val.put(tasks.get(rnd.nextInt(k)), scale[0]);
      }
      out.add(new Report(step, val, Map.of(), grad));
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
