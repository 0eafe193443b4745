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

class DwaTest {
  private static final double TOL = 1e-12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> AB = List.of("a", "b");

  // ---- hand-computed cases ----

  @Test
  void lastTwoLossesOfEachTask() {
    Balancer dwa = Methods.create("dwa", AB, Map.of(), null);
    // one loss per task: uniform
    assertArrayEquals(new double[] {0.5, 0.5}, dwa.update(Report.of(1, Map.of("a", 1.0, "b", 1.0))).weights().values(), 0);
    // ratios a = 0.5/1 = 0.5, b = 1/1 = 1; T = 2: logits 0.25, 0.5; w_a = e^.25 / (e^.25 + e^.5) = 1 / (1 + e^.25)
    Update u = dwa.update(Report.of(2, Map.of("a", 0.5, "b", 1.0)));
    assertArrayEquals(new double[] {0.5, 1}, u.taskDiagnostics().get("ratios"), TOL);
    assertEquals(0.43782349911420193, u.weights().get("a"), TOL);
    assertEquals(1 / (1 + Math.exp(0.25)), u.weights().get("a"), TOL);
    // b alone, 2: ratio 2/1 = 2, logit 1; a keeps 0.25: w_a = 1 / (1 + e^.75)
    assertEquals(0.320821300824607, dwa.update(Report.of(4, Map.of("b", 2.0))).weights().get("a"), TOL);
    // a = 0 is ignored (it would make a's next ratio infinite): nothing changes
    assertEquals(0.320821300824607, dwa.update(Report.of(5, Map.of("a", 0.0))).weights().get("a"), TOL);
    // a = 1: a's last two positive losses are 0.5, 1 -> ratio 2 = b's: equal weights
    assertArrayEquals(new double[] {0.5, 0.5}, dwa.update(Report.of(6, Map.of("a", 1.0))).weights().values(), TOL);
  }

  @Test
  void initialLossIsTheFirstPointAndTemperatureSharpens() {
    Balancer dwa = Methods.create("dwa", AB, Map.of("temperature", 0.5), Map.of("a", 2.0, "b", 1.0));
    // ratios a = 1/2 = 0.5, b = 1.5/1 = 1.5; T = 0.5: logits 1, 3; w_a = 1 / (1 + e^2) = 0.11920292202211755
    Update u = dwa.update(Report.of(1, Map.of("a", 1.0, "b", 1.5)));
    assertEquals(0.11920292202211755, u.weights().get("a"), TOL);
    assertEquals(1 - 0.11920292202211755, u.weights().get("b"), TOL);
  }

  @Test
  void weightsSumToOneNotK() {
    // the DWA paper's lambda = K * softmax(...) sums to K = 3; ours is softmax(...) and sums to 1
    Balancer dwa = Methods.create("dwa", List.of("a", "b", "c"), Map.of(), Map.of("a", 1.0, "b", 1.0, "c", 1.0));
    double[] w = dwa.update(Report.of(1, Map.of("a", 1.0, "b", 1.0, "c", 1.0))).weights().values();
    assertArrayEquals(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, w, TOL);
  }

  // ---- the naive twin ----

  /** Recomputes from the whole list: each task's positive losses, in order, then the softmax. */
  static double[] naive(List<String> tasks, Map<String, Double> initial, List<Report> seen, double temperature) {
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
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      double temperature = new double[] {0.1, 1, 2, 10}[rnd.nextInt(4)];
      Balancer dwa = Methods.create("dwa", tasks, Map.of("temperature", temperature), init);
      List<Report> seen = new ArrayList<>();
      for (Report r : reports(rnd, tasks, 1 + rnd.nextInt(120), !init.isEmpty())) {
        seen.add(r);
        double[] w = dwa.update(r).weights().values();
        assertArrayEquals(naive(tasks, init, seen, temperature), w, TOL, "history " + h + " step " + r.step());
        compared++;
      }
    }
    assertTrue(compared > 10_000, "compared " + compared);
  }

  // ---- properties ----

  @Test
  void weightsArePositiveAndSumToOne() {
    Random rnd = new Random(52);
    for (int h = 0; h < 200; h++) {
      List<String> tasks = names(1 + rnd.nextInt(8));
      // tiny temperatures make weights underflow: they are floored, never 0
      double temperature = new double[] {1e-6, 1e-3, 2, 1e6}[rnd.nextInt(4)];
      Balancer dwa = Methods.create("dwa", tasks, Map.of("temperature", temperature), null);
      for (Report r : reports(rnd, tasks, 80, false)) {
        assertValid(dwa.update(r).weights().values());
      }
    }
  }

  @Test
  void permutingTasksPermutesWeights() {
    Random rnd = new Random(53);
    for (int h = 0; h < 100; h++) {
      List<String> tasks = names(2 + rnd.nextInt(5));
      List<String> shuffled = new ArrayList<>(tasks);
      Collections.shuffle(shuffled, rnd);
      Map<String, Double> init = initial(rnd, tasks);
      Balancer x = Methods.create("dwa", tasks, Map.of(), init);
      Balancer y = Methods.create("dwa", shuffled, Map.of(), init);
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
    Random rnd = new Random(55);
    for (int h = 0; h < 50; h++) {
      List<String> tasks = names(1 + rnd.nextInt(5));
      Map<String, Double> init = initial(rnd, tasks);
      Balancer run = Methods.create("dwa", tasks, Map.of("temperature", 0.3), init);
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
  void refusesBadTemperatureAndEmptyReportsWithoutChangingState() {
    for (double t : new double[] {-2, 0}) {
      InvalidInputException e = assertThrows(InvalidInputException.class,
          () -> Methods.create("dwa", AB, Map.of("temperature", t), null));
      assertEquals("params.temperature", e.field());
    }
    Balancer dwa = Methods.create("dwa", AB, Map.of(), null);
    dwa.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    BalancerState before = dwa.exportState();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> dwa.update(Report.of(2, Map.of())));
    assertEquals("valLosses", e.field());
    e = assertThrows(InvalidInputException.class, () -> dwa.update(Report.of(1, Map.of("a", 1.0))));
    assertEquals("step", e.field());
    assertEquals(before, dwa.exportState());
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
