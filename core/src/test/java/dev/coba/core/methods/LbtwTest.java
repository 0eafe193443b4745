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

class LbtwTest {
  private static final double TOL = 1e-12;
  private static final ObjectMapper JSON = new ObjectMapper();
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
    assertArrayEquals(new double[] {0.5, 0.5}, lbtw.update(Report.of(0, Map.of("a", 2.0))).weights().values(), TOL);
    // b = 0 gives no reference: still uniform
    assertArrayEquals(new double[] {0.5, 0.5},
        lbtw.update(Report.of(1, Map.of("a", 1.0, "b", 0.0))).weights().values(), TOL);
    // b's reference is 3 (ratio 1), a's ratio 1/2; b = 1: w = (0.5, 1) / 1.5
    assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3},
        lbtw.update(Report.of(2, Map.of("b", 3.0))).weights().values(), TOL);
    // a = 0 after its reference: ratio 0, clamped to 1e-12: w_a = 1e-12 / (1 + 1e-12), still positive
    double[] w = lbtw.update(Report.of(3, Map.of("a", 0.0))).weights().values();
    assertEquals(1e-12 / (1 + 1e-12), w[0], 1e-24);
    assertTrue(w[0] > 0);
  }

  @Test
  void exponentZeroIsUniform() {
    Balancer lbtw = Methods.create("lbtw", AB, Map.of("b", 0.0), Map.of("a", 1.0, "b", 1.0));
    assertArrayEquals(new double[] {0.5, 0.5}, lbtw.update(Report.of(1, Map.of("a", 0.1, "b", 3.0))).weights().values(), 0);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list of reports: reference and last loss found by scanning. */
  static double[] naive(List<String> tasks, Map<String, Double> initial, List<Report> seen, double b) {
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
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      double b = new double[] {0, 0.5, 1, 2.5}[rnd.nextInt(4)];
      Balancer lbtw = Methods.create("lbtw", tasks, Map.of("b", b), init);
      List<Report> reports = reports(rnd, tasks, 1 + rnd.nextInt(120), !init.isEmpty());
      List<Report> seen = new ArrayList<>();
      for (Report r : reports) {
        seen.add(r);
        double[] w = lbtw.update(r).weights().values();
        assertArrayEquals(naive(tasks, init, seen, b), w, TOL, "history " + h + " step " + r.step());
        compared++;
      }
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties ----

  @Test
  void weightsArePositiveAndSumToOne() {
    Random rnd = new Random(42);
    for (int h = 0; h < 200; h++) {
      List<String> tasks = names(1 + rnd.nextInt(8));
      Balancer lbtw = Methods.create("lbtw", tasks, Map.of("b", 10.0 * rnd.nextDouble()), null);
      for (Report r : reports(rnd, tasks, 80, false)) {
        assertValid(lbtw.update(r).weights().values());
      }
    }
  }

  @Test
  void permutingTasksPermutesWeights() {
    Random rnd = new Random(43);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(5));
      List<String> shuffled = new ArrayList<>(tasks);
      Collections.shuffle(shuffled, rnd);
      Map<String, Double> init = initial(rnd, tasks);
      Balancer x = Methods.create("lbtw", tasks, Map.of(), init);
      Balancer y = Methods.create("lbtw", shuffled, Map.of(), init);
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
  void scaleFree() {
    Random rnd = new Random(44);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(4));
      Map<String, Double> init = initial(rnd, tasks);
      String scaled = tasks.get(rnd.nextInt(tasks.size()));
      double c = Math.exp(4 * rnd.nextGaussian());
      Balancer x = Methods.create("lbtw", tasks, Map.of(), init);
      Balancer y = Methods.create("lbtw", tasks, Map.of(), scale(init, scaled, c));
      for (Report r : reports(rnd, tasks, 60, !init.isEmpty())) {
        Report s = new Report(r.step(), scale(r.valLosses(), scaled, c), Map.of(), Map.of());
        assertArrayEquals(x.update(r).weights().values(), y.update(s).weights().values(), TOL);
      }
    }
  }

  @Test
  void restoredRunContinuesBitIdentically() throws Exception {
    Random rnd = new Random(45);
    for (int h = 0; h < 50; h++) {
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      Balancer run = Methods.create("lbtw", tasks, Map.of("b", 0.7), init);
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
        () -> Methods.create("lbtw", AB, Map.of("b", -0.5), null));
    assertEquals("params.b", e.field());
    Balancer lbtw = Methods.create("lbtw", AB, Map.of(), null);
    lbtw.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    BalancerState before = lbtw.exportState();
    e = assertThrows(InvalidInputException.class, () -> lbtw.update(Report.of(2, Map.of())));
    assertEquals("valLosses", e.field());
    e = assertThrows(InvalidInputException.class, () -> lbtw.update(Report.of(3, Map.of("a", -1.0))));
    assertEquals("valLosses.a", e.field());
    assertEquals(before, lbtw.exportState());
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

  static Map<String, Double> scale(Map<String, Double> m, String task, double c) {
    Map<String, Double> out = new LinkedHashMap<>(m);
    out.computeIfPresent(task, (t, v) -> v * c);
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
