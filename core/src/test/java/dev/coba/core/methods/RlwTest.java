package dev.coba.core.methods;

import static dev.coba.core.testing.BalancerAssertions.TOL;
import static dev.coba.core.testing.BalancerAssertions.assertAgreesWithNaive;
import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RlwTest {
  private static final List<String> AB = List.of("a", "b");

  // ---- hand-computed cases ----

  @Test
  void oneTaskWeighsOne() {
    Balancer rlw = Methods.create("rlw", List.of("only"), Map.of(), null);
    for (int s = 0; s < 10; s++) {
      assertArrayEquals(new double[] {1}, rlw.update(Report.of(s, Map.of())).weights().values(), 0);
    }
  }

  @Test
  void twoTasksAreALogisticOfTheNoiseDifference() {
    Balancer rlw = Methods.create("rlw", AB, Map.of("seed", 7), null);
    for (int s = 0; s < 20; s++) {
      Update u = rlw.update(Report.of(s, Map.of("a", 1.0)));
      double[] z = u.taskDiagnostics().get("noise");
      // softmax of two: w_a = e^za / (e^za + e^zb) = 1 / (1 + e^(zb - za))
      assertEquals(1 / (1 + Math.exp(z[1] - z[0])), u.weights().get("a"), TOL);
    }
  }

  @Test
  void noiseIsStandardNormal() {
    Balancer rlw = Methods.create("rlw", List.of("x", "y", "z", "w"), Map.of("seed", 3), null);
    double sum = 0;
    double sumSq = 0;
    int inOneSigma = 0;
    int n = 0;
    for (int s = 0; s < 25_000; s++) {
      for (double z : rlw.update(Report.of(s, Map.of())).taskDiagnostics().get("noise")) {
        sum += z;
        sumSq += z * z;
        inOneSigma += Math.abs(z) < 1 ? 1 : 0;
        n++;
      }
    }
    double mean = sum / n;
    // 100k draws: the standard error of the mean is 0.0032, of the variance 0.0045
    assertEquals(0, mean, 0.015);
    assertEquals(1, sumSq / n - mean * mean, 0.02);
    assertEquals(0.6827, (double) inOneSigma / n, 0.006);
  }

  @Test
  void seedsAndNamesChooseTheStreams() {
    double[] w0 = run(List.of("a", "b", "c"), 0, 5);
    assertArrayEquals(w0, run(List.of("a", "b", "c"), 0, 5), 0);
    assertFalse(Arrays.equals(w0, run(List.of("a", "b", "c"), 1, 5)));
    // a renamed task draws from another stream
    assertFalse(Arrays.equals(w0, run(List.of("a", "b", "d"), 0, 5)));
  }

  private static double[] run(List<String> tasks, long seed, int reports) {
    Balancer rlw = Methods.create("rlw", tasks, Map.of("seed", seed), null);
    double[] w = null;
    for (int s = 1; s <= reports; s++) {
      w = rlw.update(Report.of(s, Map.of())).weights().values();
    }
    return w;
  }

  // ---- the naive twin ----

  /** SplitMix64 as a plain sequential generator (state += golden gamma, then mix). */
  static final class SplitMix64 {
    private long state;

    SplitMix64(long state) {
      this.state = state;
    }

    long next() {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }

    double nextDouble() {
      return (next() >>> 11) / 9007199254740992.0;
    }
  }

  private static long finalise(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** The weights of the n-th report (0-based): each task's generator run from its start to draw n. */
  static double[] naive(List<String> tasks, long seed, int n) {
    double[] e = new double[tasks.size()];
    double total = 0;
    for (int i = 0; i < tasks.size(); i++) {
      long h = 0xcbf29ce484222325L;
      for (char c : tasks.get(i).toCharArray()) {
        h = (h ^ c) * 0x100000001b3L;
      }
      SplitMix64 g = new SplitMix64(finalise(finalise(seed) + h));
      double u1 = 0;
      double u2 = 0;
      for (int d = 0; d <= n; d++) {
        u1 = g.nextDouble();
        u2 = g.nextDouble();
      }
      double z = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
      e[i] = Math.exp(z);
      total += e[i];
    }
    for (int i = 0; i < e.length; i++) {
      e[i] /= total;
    }
    return e;
  }

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(91);
    int compared = 0;
    for (int h = 0; h < 300; h++) {
      List<String> tasks = new ArrayList<>();
      int k = 1 + rnd.nextInt(6);
      for (int i = 0; i < k; i++) {
        tasks.add("t" + rnd.nextInt(1000) + "_" + i + (rnd.nextBoolean() ? "é" : ""));
      }
      long seed = rnd.nextBoolean() ? rnd.nextInt(10) : (rnd.nextLong() >> 11);
      List<Report> reports = new ArrayList<>();
      long step = rnd.nextInt(3);
      int count = 1 + rnd.nextInt(60);
      for (int n = 0; n < count; n++) {
        // what the report holds does not matter to rlw
        reports.add(
            rnd.nextBoolean()
                ? Report.of(step, Map.of())
                : Report.of(step, Map.of(tasks.get(0), rnd.nextDouble())));
        step += 1 + rnd.nextInt(5);
      }
      // the n-th report (0-based) draws the n-th noise
      compared +=
          assertAgreesWithNaive(
              "rlw",
              Map.of("seed", seed),
              new History(tasks, Map.of(), reports),
              seen -> naive(tasks, seed, seen.size() - 1),
              "history " + h);
    }
    assertTrue(compared > 5_000, "compared " + compared);
  }

  // ---- properties: MethodsContractTest checks those every method owes ----

  // ---- bad input ----

  @Test
  void refusesBadSeeds() {
    assertRefused("params.seed", () -> Methods.create("rlw", AB, Map.of("seed", 1.5), null));
    assertRefused("params.seed", () -> Methods.create("rlw", AB, Map.of("seed", 1L << 60), null));
  }
}
