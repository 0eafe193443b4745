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
import dev.coba.core.Objective;
import dev.coba.core.Report;
import dev.coba.core.Update;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IgbV1Test {
  private static final double TOL = 1e-12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> AB = List.of("a", "b");

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
    // base a = (2 + 4) / 2 = 3, b = (1 + 3) / 2 = 2; l / b = 4/3, 3/2: w_a = 1 / (1 + e^(3/2 - 4/3)) = 1 / (1 + e^(1/6))
    Update u = igb.update(Report.of(4, Map.of("a", 4.0, "b", 3.0)));
    assertArrayEquals(new double[] {3, 2}, u.taskDiagnostics().get("base"), TOL);
    assertArrayEquals(new double[] {4.0 / 3, 1.5}, u.taskDiagnostics().get("normalised"), TOL);
    assertEquals(0.45842951678320015, u.weights().get("a"), TOL);
    // a alone, 1.5: 1.5 / 3 = 0.5; b keeps 3 / 2 = 1.5: w_a = 1 / (1 + e^1)
    u = igb.update(Report.of(5, Map.of("a", 1.5)));
    assertEquals(0.2689414213699951, u.weights().get("a"), TOL);
    // a zero is the task absent: nothing changes
    assertEquals(0.2689414213699951, igb.update(Report.of(6, Map.of("a", 0.0))).weights().get("a"), TOL);
  }

  @Test
  void explicitBaseStartAndPerTaskCounting() {
    // baseStart 1, window 2: each task's first two positive losses are its base
    Balancer igb = Methods.create("igbv1", AB, Map.of("baseWindow", 2, "baseStart", 1), null);
    igb.update(Report.of(1, Map.of("a", 1.0, "b", 4.0)));
    // b misses this report, so b's base is not complete yet
    assertArrayEquals(new double[] {0.5, 0.5}, igb.update(Report.of(2, Map.of("a", 3.0))).weights().values(), 0);
    // b's second loss 0 does not count either
    assertArrayEquals(new double[] {0.5, 0.5}, igb.update(Report.of(3, Map.of("b", 0.0))).weights().values(), 0);
    // base a = 2, b = (4 + 8) / 2 = 6; last a = 3, b = 8: logits 1.5, 4/3 -> w_a = 1 / (1 + e^(-1/6))
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
      List<String> tasks = names(1 + rnd.nextInt(5));
      int window = 1 + rnd.nextInt(15);
      int start = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(20);
      Balancer igb = Methods.create("igbv1", tasks, Map.of("baseWindow", window, "baseStart", start), null);
      List<Report> seen = new ArrayList<>();
      for (Report r : reports(rnd, tasks, 1 + rnd.nextInt(120))) {
        seen.add(r);
        double[] w = igb.update(r).weights().values();
        assertArrayEquals(naive(tasks, seen, window, start), w, TOL, "history " + h + " step " + r.step());
        compared++;
      }
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties ----

  @Test
  void weightsArePositiveAndSumToOne() {
    Random rnd = new Random(102);
    for (int h = 0; h < 200; h++) {
      List<String> tasks = names(1 + rnd.nextInt(8));
      Balancer igb = Methods.create("igbv1", tasks, Map.of("baseWindow", 1 + rnd.nextInt(10)), null);
      for (Report r : reports(rnd, tasks, 80)) {
        assertValid(igb.update(r).weights().values());
      }
    }
    // a loss spike 1e6 times its base: the other weight underflows and is floored
    Balancer igb = Methods.create("igbv1", AB, Map.of("baseWindow", 1, "baseStart", 1), null);
    igb.update(Report.of(1, Map.of("a", 1.0, "b", 1.0)));
    double[] w = igb.update(Report.of(2, Map.of("a", 1e6))).weights().values();
    assertTrue(w[1] > 0);
    assertEquals(1, w[0] + w[1], TOL);
  }

  @Test
  void permutingTasksPermutesWeights() {
    Random rnd = new Random(103);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(5));
      List<String> shuffled = new ArrayList<>(tasks);
      Collections.shuffle(shuffled, rnd);
      Map<String, Integer> params = Map.of("baseWindow", 1 + rnd.nextInt(10));
      Balancer x = Methods.create("igbv1", tasks, params, null);
      Balancer y = Methods.create("igbv1", shuffled, params, null);
      for (Report r : reports(rnd, tasks, 60)) {
        Map<String, Double> wx = x.update(r).weights().asMap();
        Map<String, Double> wy = y.update(r).weights().asMap();
        for (String t : tasks) {
          assertEquals(wx.get(t), wy.get(t), TOL);
        }
      }
    }
  }

  @Test
  void scaleFree() {
    Random rnd = new Random(104);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(4));
      String scaled = tasks.get(rnd.nextInt(tasks.size()));
      double c = Math.exp(4 * rnd.nextGaussian());
      Map<String, Integer> params = Map.of("baseWindow", 1 + rnd.nextInt(10));
      Balancer x = Methods.create("igbv1", tasks, params, null);
      Balancer y = Methods.create("igbv1", tasks, params, null);
      for (Report r : reports(rnd, tasks, 60)) {
        Map<String, Double> val = new LinkedHashMap<>(r.valLosses());
        val.computeIfPresent(scaled, (t, v) -> v * c);
        assertArrayEquals(x.update(r).weights().values(), y.update(Report.of(r.step(), val)).weights().values(), TOL);
      }
    }
  }

  @Test
  void restoredRunContinuesBitIdentically() throws Exception {
    Random rnd = new Random(105);
    for (int h = 0; h < 50; h++) {
      List<String> tasks = names(1 + rnd.nextInt(5));
      Balancer run = Methods.create("igbv1", tasks, Map.of("baseWindow", 1 + rnd.nextInt(20)), null);
      List<Report> reports = reports(rnd, tasks, 60 + rnd.nextInt(40));
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
        () -> Methods.create("igbv1", AB, Map.of("baseWindow", 0), null));
    assertEquals("params.baseWindow", e.field());
    e = assertThrows(InvalidInputException.class, () -> Methods.create("igbv1", AB, Map.of("baseStart", -3), null));
    assertEquals("params.baseStart", e.field());
    Balancer igb = Methods.create("igbv1", AB, Map.of("baseWindow", 1), null);
    igb.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    igb.update(Report.of(2, Map.of("a", 1.0, "b", 2.0)));
    BalancerState before = igb.exportState();
    e = assertThrows(InvalidInputException.class, () -> igb.update(Report.of(3, Map.of())));
    assertEquals("valLosses", e.field());
    e = assertThrows(InvalidInputException.class, () -> igb.update(Report.of(3, Map.of("b", Double.POSITIVE_INFINITY))));
    assertEquals("valLosses.b", e.field());
    assertEquals(before, igb.exportState());
  }

  // ---- helpers (each method's test is self-contained) ----

  static List<String> names(int k) {
    List<String> t = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      t.add("task" + i);
    }
    return t;
  }

  /** Noisy decaying losses, some tasks overfitting, irregular gaps, tasks missing, the odd zero. */
  static List<Report> reports(Random rnd, List<String> tasks, int count) {
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
    long step = rnd.nextInt(3);
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
