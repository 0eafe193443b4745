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

class UncertaintyTest {
  private static final double TOL = 1e-12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> AB = List.of("a", "b");

  private static Report report(long step, Map<String, Double> val, Map<String, Double> train) {
    return new Report(step, val, train, Map.of());
  }

  // ---- hand-computed cases ----

  @Test
  void inverseLossesPreferringTrainingLosses() {
    Balancer unc = Methods.create("uncertainty", AB, Map.of(), null);
    // only a known: uniform
    assertArrayEquals(new double[] {0.5, 0.5}, unc.update(Report.of(1, Map.of("a", 1.0))).weights().values(), 0);
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
    Balancer unc = Methods.create("uncertainty", AB, Map.of("epsilon", 1e-4), Map.of("a", 1.0, "b", 1.0));
    // a = 0 counts as 1e-4: w = (1e4, 1/3) / (1e4 + 1/3)
    Update u = unc.update(Report.of(1, Map.of("a", 0.0, "b", 3.0)));
    assertEquals(1e4 / (1e4 + 1.0 / 3), u.weights().get("a"), TOL);
    assertEquals((1.0 / 3) / (1e4 + 1.0 / 3), u.weights().get("b"), TOL);
    assertValid(u.weights().values());
  }

  @Test
  void initialLossesCountAsTheFirstLosses() {
    Balancer unc = Methods.create("uncertainty", AB, Map.of(), Map.of("a", 2.0, "b", 1.0));
    // b keeps its initial loss 1; a = 1: equal
    assertArrayEquals(new double[] {0.5, 0.5}, unc.update(Report.of(1, Map.of("a", 1.0))).weights().values(), TOL);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list: each task's latest loss found by scanning backwards. */
  static double[] naive(List<String> tasks, Map<String, Double> initial, List<Report> seen, double eps) {
    int k = tasks.size();
    double[] inv = new double[k];
    double total = 0;
    for (int i = 0; i < k; i++) {
      String t = tasks.get(i);
      Double loss = initial == null ? null : initial.get(t);
      for (int r = seen.size() - 1; r >= 0; r--) {
        Report rep = seen.get(r);
        Double l = rep.trainLosses().containsKey(t) ? rep.trainLosses().get(t) : rep.valLosses().get(t);
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
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      double eps = new double[] {1e-8, 1e-3, 1}[rnd.nextInt(3)];
      Balancer unc = Methods.create("uncertainty", tasks, Map.of("epsilon", eps), init);
      List<Report> seen = new ArrayList<>();
      for (Report r : reports(rnd, tasks, 1 + rnd.nextInt(120), !init.isEmpty())) {
        seen.add(r);
        double[] w = unc.update(r).weights().values();
        assertArrayEquals(naive(tasks, init, seen, eps), w, TOL, "history " + h + " step " + r.step());
        compared++;
      }
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties ----

  @Test
  void weightsArePositiveAndSumToOne() {
    Random rnd = new Random(82);
    for (int h = 0; h < 200; h++) {
      List<String> tasks = names(1 + rnd.nextInt(8));
      Balancer unc = Methods.create("uncertainty", tasks, Map.of("epsilon", 1e-12), null);
      for (Report r : reports(rnd, tasks, 80, false)) {
        assertValid(unc.update(r).weights().values());
      }
    }
    // extreme losses: 1e300 next to a zero at the smallest epsilon still gives positive weights
    Balancer unc = Methods.create("uncertainty", AB, Map.of("epsilon", 1e-12), null);
    double[] w = unc.update(Report.of(1, Map.of("a", 1e300, "b", 0.0))).weights().values();
    assertTrue(w[0] > 0 && w[1] > 0);
    assertEquals(1, w[0] + w[1], TOL);
  }

  @Test
  void permutingTasksPermutesWeights() {
    Random rnd = new Random(83);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(5));
      List<String> shuffled = new ArrayList<>(tasks);
      Collections.shuffle(shuffled, rnd);
      Map<String, Double> init = initial(rnd, tasks);
      Balancer x = Methods.create("uncertainty", tasks, Map.of(), init);
      Balancer y = Methods.create("uncertainty", shuffled, Map.of(), init);
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
    Random rnd = new Random(85);
    for (int h = 0; h < 50; h++) {
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      Balancer run = Methods.create("uncertainty", tasks, Map.of(), init);
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
        () -> Methods.create("uncertainty", AB, Map.of("epsilon", 0.0), null));
    assertEquals("params.epsilon", e.field());
    Balancer unc = Methods.create("uncertainty", AB, Map.of(), null);
    unc.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    BalancerState before = unc.exportState();
    e = assertThrows(InvalidInputException.class, () -> unc.update(Report.of(2, Map.of())));
    assertEquals("valLosses", e.field());
    e = assertThrows(InvalidInputException.class, () -> unc.update(report(2, Map.of(), Map.of("b", -3.0))));
    assertEquals("trainLosses.b", e.field());
    assertEquals(before, unc.exportState());
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
   * Noisy decaying losses, irregular gaps, tasks missing, the odd zero; a training loss for some
   * tasks in some reports (train only, val only, both, or neither).
   */
  static List<Report> reports(Random rnd, List<String> tasks, int count, boolean afterStepZero) {
    int k = tasks.size();
    double[] scale = new double[k];
    double[] rate = new double[k];
    for (int i = 0; i < k; i++) {
      scale[i] = Math.exp(rnd.nextGaussian() * 2);
      rate[i] = 0.001 + rnd.nextDouble() * 0.05;
    }
    double missing = rnd.nextBoolean() ? 0 : rnd.nextDouble() * 0.4;
    double withTrain = rnd.nextDouble();
    boolean gaps = rnd.nextBoolean();
    long step = afterStepZero ? 1 + rnd.nextInt(3) : rnd.nextInt(3);
    List<Report> out = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      Map<String, Double> val = new LinkedHashMap<>();
      Map<String, Double> train = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        double loss = scale[i] * (0.2 + Math.exp(-rate[i] * step));
        if (rnd.nextDouble() >= missing) {
          val.put(tasks.get(i), rnd.nextDouble() < 0.01 ? 0.0 : loss * (1 + 0.05 * rnd.nextGaussian()));
        }
        if (rnd.nextDouble() < withTrain) {
          train.put(tasks.get(i), rnd.nextDouble() < 0.01 ? 0.0 : loss * (0.9 + 0.1 * rnd.nextGaussian()) + 1e-3);
        }
      }
      if (val.isEmpty() && train.isEmpty()) {
        val.put(tasks.get(rnd.nextInt(k)), scale[0]);
      }
      out.add(new Report(step, val, train, Map.of()));
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
