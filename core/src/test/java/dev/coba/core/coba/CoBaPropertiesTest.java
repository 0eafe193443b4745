package dev.coba.core.coba;

import static dev.coba.core.testing.BalancerAssertions.assertPermutationEquivariant;
import static dev.coba.core.testing.BalancerAssertions.assertRefusedWithoutChange;
import static dev.coba.core.testing.BalancerAssertions.assertRestoreContinuesBitIdentically;
import static dev.coba.core.testing.BalancerAssertions.assertScaleFree;
import static dev.coba.core.testing.BalancerAssertions.assertValidWeights;
import static dev.coba.core.testing.RandomHistories.COBA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties the spec promises, on random histories, for both variants. */
class CoBaPropertiesTest {
  private static Map<String, Object> params(String variant, int warmup, int history) {
    return Map.of("variant", variant, "warmupSteps", warmup, "historyLength", history);
  }

  private static History history(Random rnd, String variant) {
    History h = COBA.history(rnd, 1 + rnd.nextInt(6), 1 + rnd.nextInt(150));
    if (variant.equals("mftcoder")) {
      // MFTCoder always has the step-0 losses
      Map<String, Double> init = new LinkedHashMap<>();
      for (String t : h.tasks()) {
        init.put(t, 1.0 + rnd.nextDouble());
      }
      h = new History(h.tasks(), init, h.reports().stream()
          .map(r -> Report.of(r.step() == 0 ? 1 : r.step(), r.valLosses())).distinct().toList());
    }
    return new History(h.tasks(), h.initialLosses(), dedupe(h.reports()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void weightsArePositiveAndSumToOne(String variant) {
    Random rnd = new Random(1);
    for (int h = 0; h < 400; h++) {
      assertValidWeights("coba", params(variant, 3 + rnd.nextInt(5), 8 + rnd.nextInt(10)), history(rnd, variant));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void permutingTasksPermutesWeights(String variant) {
    Random rnd = new Random(2);
    for (int h = 0; h < 300; h++) {
      assertPermutationEquivariant(rnd, "coba", params(variant, 3, 10), history(rnd, variant));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void scalingOneTasksLossesChangesNothing(String variant) {
    Random rnd = new Random(3);
    for (int h = 0; h < 300; h++) {
      History hist = history(rnd, variant);
      String scaled = hist.tasks().get(rnd.nextInt(hist.tasks().size()));
      assertScaleFree("coba", params(variant, 3, 10), hist, scaled, Math.exp(rnd.nextGaussian() * 3));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void exportThroughJsonAndRestoreContinuesBitIdentically(String variant) {
    Random rnd = new Random(4);
    for (int h = 0; h < 200; h++) {
      History hist = history(rnd, variant);
      int cut = rnd.nextInt(hist.reports().size());
      assertRestoreContinuesBitIdentically("coba", params(variant, 3, 5 + rnd.nextInt(10)), hist, cut);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void uniformDuringWarmup(String variant) {
    Random rnd = new Random(5);
    for (int h = 0; h < 100; h++) {
      History hist = history(rnd, variant);
      int warmup = 3 + rnd.nextInt(60);
      Balancer coba = Methods.create("coba", hist.tasks(), params(variant, warmup, Math.max(warmup, 10)), hist.initialLosses());
      for (Report r : hist.reports()) {
        double[] w = coba.update(r).weights().values();
        if (r.step() + 1 < warmup) {
          for (double v : w) {
            assertEquals(1.0 / w.length, v, 0.0);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7})
  void constantSlopesGiveDfOne(int gap) {
    // losses falling on straight lines: every slope, so every amax, is constant
    Balancer coba = Methods.create("coba", List.of("a", "b", "c"), Map.of("warmupSteps", 0, "historyLength", 5),
        Map.of("a", 1.0, "b", 1.0, "c", 1.0));
    for (int s = 1; s <= 200; s++) {
      long t = (long) s * gap;
      Update u = coba.update(Report.of(t, Map.of("a", 1 - 0.0001 * t, "b", 1 - 0.0002 * t, "c", 1 - 0.00005 * t)));
      assertEquals(1.0, u.diagnostics().get("df"), 1e-9, "step " + t);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void aDivergingTasksWeightFalls(String variant) {
    // three tasks converge steadily; task "d" converges, then turns upward at step 100
    Balancer coba = Methods.create("coba", List.of("a", "b", "c", "d"), params(variant, 10, 20),
        Map.of("a", 2.0, "b", 2.0, "c", 2.0, "d", 2.0));
    Random rnd = new Random(6);
    double before = 0;
    double after = 0;
    for (int t = 1; t <= 160; t++) {
      Map<String, Double> losses = new HashMap<>();
      for (String task : List.of("a", "b", "c")) {
        losses.put(task, 2 * Math.exp(-0.005 * t) * (1 + 0.002 * rnd.nextGaussian()));
      }
      double d = t <= 100 ? 2 * Math.exp(-0.01 * t) : 2 * Math.exp(-1.0) * (1 + 0.004 * (t - 100));
      losses.put("d", d * (1 + 0.002 * rnd.nextGaussian()));
      double w = coba.update(Report.of(t, losses)).weights().get("d");
      if (t == 100) {
        before = w;
      }
      if (t == 160) {
        after = w;
      }
    }
    assertTrue(after < 0.6 * before && after < 0.25, "weight of the diverging task: " + before + " at step 100, " + after + " at 160");
  }

  @ParameterizedTest
  @ValueSource(strings = {"paper", "mftcoder"})
  void nanInfinityAndNegativeLossesAreRefusedAndChangeNothing(String variant) {
    Balancer coba = Methods.create("coba", List.of("a", "b"), params(variant, 3, 5), Map.of("a", 1.0, "b", 1.0));
    coba.update(Report.of(1, Map.of("a", 0.9, "b", 0.95)));
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.5}) {
      InvalidInputException e =
          assertRefusedWithoutChange("valLosses.b", coba, Report.of(2, Map.of("a", 0.8, "b", bad)));
      assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains("'b'"), e.getMessage());
    }
    assertRefusedWithoutChange("step", coba, Report.of(1, Map.of("a", 0.8)));
    assertRefusedWithoutChange("valLosses.zz", coba, Report.of(2, Map.of("zz", 0.8)));
  }

  private static List<Report> dedupe(List<Report> reports) {
    List<Report> out = new ArrayList<>();
    long last = Long.MIN_VALUE;
    for (Report r : reports) {
      if (r.step() > last) {
        out.add(r);
        last = r.step();
      }
    }
    return out;
  }
}
