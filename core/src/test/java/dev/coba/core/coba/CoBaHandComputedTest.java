package dev.coba.core.coba;

import static dev.coba.core.testing.BalancerAssertions.assertRefusedWithoutChange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Small CoBa cases worked out by hand (the arithmetic is in the comments). Two tasks a and b,
 * initial losses a = 2, b = 4 (so the windows start with the point (0, 1)), N = 3, tau = 5.
 */
class CoBaHandComputedTest {
  private static final double EPS = 1e-12;

  private static Balancer twoTasks(int warmup) {
    return Methods.create(
        "coba",
        List.of("a", "b"),
        Map.of("warmupSteps", warmup, "historyLength", 3, "tau", 5),
        Map.of("a", 2.0, "b", 4.0));
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void threeStepsOfThePaperFormulas() {
    Balancer coba = twoTasks(0);

    // step 1: a = 1.8 (ratio 0.9), b = 4.0 (ratio 1).
    // slopes over (0,1),(1,0.9) and (0,1),(1,1): alpha = (-0.1, 0).
    // RCS logits K*alpha/sum|alpha| = (2*-0.1/0.1, 0) = (-2, 0) -> (sigmoid(-2), sigmoid(2)).
    // ACS logits -n*alpha/sum|hist|: a: -1*-0.1/0.1 = 1; b: normaliser 0 -> 0.
    // amax = 0, all recorded amax are 0 -> DF = 1 -> w = RCS.
    Update u1 = coba.update(Report.of(1, Map.of("a", 1.8, "b", 4.0)));
    assertArrayEquals(new double[] {-0.1, 0}, u1.taskDiagnostics().get("slopes"), EPS);
    assertArrayEquals(new double[] {sigmoid(-2), sigmoid(2)}, u1.taskDiagnostics().get("rcs"), EPS);
    assertArrayEquals(new double[] {sigmoid(1), sigmoid(-1)}, u1.taskDiagnostics().get("acs"), EPS);
    assertEquals(1.0, u1.diagnostics().get("df"), 0);
    assertArrayEquals(new double[] {sigmoid(-2), sigmoid(2)}, u1.weights().values(), EPS);

    // step 2: a = 1.6 (0.8), b = 3.6 (0.9).
    // a: (0,1),(1,.9),(2,.8): slope -0.1. b: (0,1),(1,1),(2,.9): mean y .9667,
    //   sum (x-1)(y-ybar) = -(.0333) + (-.0667) = -0.1, sum (x-1)^2 = 2 -> -0.05.
    // RCS logits (2*-.1/.15, 2*-.05/.15) = (-4/3, -2/3).
    // ACS: a: -2*-.1/(.1+.1) = 1; b: -2*-.05/(0+.05) = 2.
    // amax history (0, -0.05), T = 2, sum|.| = .05: logits -5*2*a/.05 = (0, 10):
    //   DF = min(2 * e^10/(1+e^10), 1) = 1.
    Update u2 = coba.update(Report.of(2, Map.of("a", 1.6, "b", 3.6)));
    assertArrayEquals(new double[] {-0.1, -0.05}, u2.taskDiagnostics().get("slopes"), EPS);
    assertArrayEquals(
        new double[] {sigmoid(-2.0 / 3), sigmoid(2.0 / 3)}, u2.taskDiagnostics().get("rcs"), EPS);
    assertArrayEquals(new double[] {sigmoid(-1), sigmoid(1)}, u2.taskDiagnostics().get("acs"), EPS);
    assertEquals(1.0, u2.diagnostics().get("df"), 0);
    assertArrayEquals(u2.taskDiagnostics().get("rcs"), u2.weights().values(), EPS);

    // step 3: a = 2.0 (ratio 1.0, task a turns upward), b = 2.7 (.675). Window of 3 points.
    // a: (1,.9),(2,.8),(3,1): sum (x-2)(y-.9) = 0 + .1 -> slope .05.
    // b: (1,1),(2,.9),(3,.675): ybar .858333, sum = -(.141667) + (-.183333) = -.325 -> -.1625.
    // amax = .05; history (0, -.05, .05), T = 3, sum|.| = .1, logits -150*a = (0, 7.5, -7.5):
    //   DF = 3 * e^-7.5 / (1 + e^7.5 + e^-7.5).
    // ACS: a: -3*.05/(.1+.1+.05) = -.6; b: -3*-.1625/(0+.05+.1625) = 2.294117647...
    // RCS logits: sum|alpha| = .2125: (2*.05/.2125, 2*-.1625/.2125).
    Update u3 = coba.update(Report.of(3, Map.of("a", 2.0, "b", 2.7)));
    assertArrayEquals(new double[] {0.05, -0.1625}, u3.taskDiagnostics().get("slopes"), EPS);
    double df = 3 * Math.exp(-7.5) / (1 + Math.exp(7.5) + Math.exp(-7.5));
    assertEquals(df, u3.diagnostics().get("df"), EPS);
    double acsA = sigmoid(-0.6 - 3 * 0.1625 / 0.2125);
    double rcsA = sigmoid(2 * 0.05 / 0.2125 - 2 * -0.1625 / 0.2125);
    assertEquals(acsA, u3.taskDiagnostics().get("acs")[0], EPS);
    assertEquals(rcsA, u3.taskDiagnostics().get("rcs")[0], EPS);
    assertEquals(df * rcsA + (1 - df) * acsA, u3.weights().get("a"), EPS);
    assertEquals(1 - (df * rcsA + (1 - df) * acsA), u3.weights().get("b"), EPS);
  }

  @Test
  void warmupBoundaryIsReportCountPlusOneBelowWarmup() {
    // warmupSteps 3: uniform while n + 1 < 3, n the reports so far: after the first report;
    // real weights from the second on (reports at steps 1, 2, ...: n is the step).
    Balancer coba = twoTasks(3);
    Update u1 = coba.update(Report.of(1, Map.of("a", 1.8, "b", 4.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u1.weights().values(), 0);
    // the slopes were still fitted and recorded during warm-up
    assertArrayEquals(new double[] {-0.1, 0}, u1.taskDiagnostics().get("slopes"), EPS);
    Update u2 = coba.update(Report.of(2, Map.of("a", 1.6, "b", 3.6)));
    assertArrayEquals(
        new double[] {sigmoid(-2.0 / 3), sigmoid(2.0 / 3)}, u2.weights().values(), EPS);
  }

  @Test
  void warmupCountsReportsNotSteps() {
    // A report every 50 steps, warmupSteps 3: uniform after the first report (n = 1, 1 + 1 < 3),
    // real weights from the second (n = 2) on. (Counting steps, 50 + 1 >= 3 would have ended
    // the warm-up at once.) The numbers are threeStepsOfThePaperFormulas' with every slope / 50.
    Balancer coba = twoTasks(3);

    // step 50: a (0,1),(50,.9): slope -0.1/50 = -0.002; b (0,1),(50,1): 0.
    Update u1 = coba.update(Report.of(50, Map.of("a", 1.8, "b", 4.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u1.weights().values(), 0);
    assertArrayEquals(new double[] {-0.002, 0}, u1.taskDiagnostics().get("slopes"), EPS);

    // step 100: a (0,1),(50,.9),(100,.8): -0.002. b (0,1),(50,1),(100,.9): mean y .96667,
    //   sum (x-50)(y-ybar) = -50*.03333 + 50*-.06667 = -5, sum (x-50)^2 = 5000 -> -0.001.
    // RCS logits 2*(-.002, -.001)/.003 = (-4/3, -2/3). amax (0, -.001), T = 2:
    //   logits -5*2*a/.001 = (0, 10), DF = min(2 e^10/(1+e^10), 1) = 1, so w = RCS.
    Update u2 = coba.update(Report.of(100, Map.of("a", 1.6, "b", 3.6)));
    assertArrayEquals(new double[] {-0.002, -0.001}, u2.taskDiagnostics().get("slopes"), EPS);
    assertEquals(1.0, u2.diagnostics().get("df"), 0);
    assertArrayEquals(
        new double[] {sigmoid(-2.0 / 3), sigmoid(2.0 / 3)}, u2.weights().values(), EPS);

    // step 150: a (50,.9),(100,.8),(150,1): 5/5000 = .001; b (50,1),(100,.9),(150,.675):
    // -16.25/5000 = -.00325.
    // amax (0, -.001, .001), sum .002, logits -5*3*a/.002 = (0, 7.5, -7.5): DF = 3
    // e^-7.5/(1+e^7.5+e^-7.5).
    // RCS logits 2*(.001, -.00325)/.00425, ACS logits: a -3*.001/(.002+.002+.001) = -.6,
    //   b -3*-.00325/(0+.001+.00325) = 2.294...: the step-3 numbers, scale-free.
    Update u3 = coba.update(Report.of(150, Map.of("a", 2.0, "b", 2.7)));
    assertArrayEquals(new double[] {0.001, -0.00325}, u3.taskDiagnostics().get("slopes"), EPS);
    double df = 3 * Math.exp(-7.5) / (1 + Math.exp(7.5) + Math.exp(-7.5));
    assertEquals(df, u3.diagnostics().get("df"), EPS);
    double acsA = sigmoid(-0.6 - 3 * 0.1625 / 0.2125);
    double rcsA = sigmoid(2 * 0.05 / 0.2125 - 2 * -0.1625 / 0.2125);
    assertEquals(df * rcsA + (1 - df) * acsA, u3.weights().get("a"), EPS);
  }

  @Test
  void mftcoderWarmupCountsReportsToo() {
    // variant mftcoder, warmupSteps 3, a report every 50 steps: uniform after the first,
    // real weights from the second. x is the rank of a present point, not the step.
    Balancer coba =
        Methods.create(
            "coba",
            List.of("a", "b"),
            Map.of("variant", "mftcoder", "warmupSteps", 3, "historyLength", 3, "tau", 5),
            Map.of("a", 2.0, "b", 4.0));
    Update u1 = coba.update(Report.of(50, Map.of("a", 1.8, "b", 4.0)));
    assertArrayEquals(new double[] {0.5, 0.5}, u1.weights().values(), 0);
    assertEquals(null, u1.taskDiagnostics().get("slopes")); // nothing is fitted during warm-up

    // ratios a (.9, .8), b (1, .95): slopes -0.1, -0.05; max ratios (1, .95): beta -0.05, T = 1: DF
    // = 1.
    // RCS logits 2*(-.1, -.05)/.15 = (-4/3, -2/3); ACS: one slope each, logits (1, 1): uniform.
    // w = softmax(K * RCS): w_a = sigmoid(2 * (rcs_a - rcs_b)) = sigmoid(2 * (2 sigmoid(-2/3) - 1))
    // = .3446 > 1/20.
    Update u2 = coba.update(Report.of(100, Map.of("a", 1.6, "b", 3.8)));
    assertArrayEquals(new double[] {-0.1, -0.05}, u2.taskDiagnostics().get("slopes"), EPS);
    assertArrayEquals(new double[] {0.5, 0.5}, u2.taskDiagnostics().get("acs"), EPS);
    assertEquals(1.0, u2.diagnostics().get("df"), EPS);
    assertEquals(0.0, u2.diagnostics().get("floorApplied"), 0);
    double wa = sigmoid(2 * (2 * sigmoid(-2.0 / 3) - 1));
    assertArrayEquals(new double[] {wa, 1 - wa}, u2.weights().values(), EPS);
  }

  @Test
  void withoutInitialLossesTheFirstReportIsTheReference() {
    // no initial losses: the first report sets l(0) and gives the point (t, 1).
    Balancer coba =
        Methods.create(
            "coba", List.of("a", "b"), Map.of("warmupSteps", 0, "historyLength", 3), null);
    Update u0 = coba.update(Report.of(10, Map.of("a", 3.0, "b", 5.0)));
    assertArrayEquals(
        new double[] {0.5, 0.5}, u0.weights().values(), 0); // one point each: no slope yet
    Update u1 = coba.update(Report.of(20, Map.of("a", 2.7, "b", 5.0)));
    // x is the step: slope of a = (0.9 - 1) / (20 - 10) = -0.01; b: 0 -> RCS logits (-2, 0)
    assertArrayEquals(new double[] {-0.01, 0}, u1.taskDiagnostics().get("slopes"), EPS);
    assertArrayEquals(new double[] {sigmoid(-2), sigmoid(2)}, u1.weights().values(), EPS);
  }

  @Test
  void aLossMoreThan1e100TimesItsReferenceIsRefusedAndChangesNothing() {
    for (String variant : List.of("paper", "mftcoder")) {
      Balancer coba =
          Methods.create(
              "coba",
              List.of("a", "b"),
              Map.of("variant", variant, "warmupSteps", 3, "historyLength", 3),
              null);
      // a's first loss 1e-300 is its reference; b's 1
      coba.update(Report.of(1, Map.of("a", 1e-300, "b", 1.0)));
      // 1e10 / 1e-300 = 1e310: beyond the doubles (it made the weights NaN for good, before)
      InvalidInputException e =
          assertRefusedWithoutChange(
              "valLosses.a", coba, Report.of(2, Map.of("a", 1e10, "b", 1.0)));
      assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains("'a'"), variant);
      // b = 2e100 is 2e100 times b's reference 1: refused too, named
      assertRefusedWithoutChange(
          "valLosses.b", coba, Report.of(2, Map.of("a", 1e-300, "b", 2e100)));
      // exactly 1e100 times b's reference 1 is allowed
      Update u = coba.update(Report.of(2, Map.of("a", 1e-300, "b", 1e100)));
      assertTrue(u.weights().values()[0] > 0 && u.weights().values()[1] > 0, variant);
      assertEquals(1, u.weights().values()[0] + u.weights().values()[1], EPS, variant);
      // a loss far below its reference is no overflow: the ratio 1e-300 / 1e300 is 0
      Balancer small =
          Methods.create(
              "coba", List.of("a", "b"), Map.of("variant", variant), Map.of("a", 1e300, "b", 1.0));
      small.update(Report.of(1, Map.of("a", 1e-300, "b", 1.0)));
    }
  }

  @Test
  void aMissingTaskKeepsItsSlope() {
    Balancer coba = twoTasks(0);
    coba.update(Report.of(1, Map.of("a", 1.8, "b", 4.0)));
    // b absent at step 2: its window is still (0,1),(1,1): slope 0; a: -0.1
    Update u2 = coba.update(Report.of(2, Map.of("a", 1.6)));
    assertArrayEquals(new double[] {-0.1, 0}, u2.taskDiagnostics().get("slopes"), EPS);
    assertEquals(Double.NaN, u2.taskDiagnostics().get("ratios")[1]);
  }

  @Test
  void ablationsPickTheirScores() {
    Map<String, Double> init = Map.of("a", 2.0, "b", 4.0);
    for (String off : List.of("useRcs", "useAcs", "useDf")) {
      Balancer coba =
          Methods.create(
              "coba",
              List.of("a", "b"),
              Map.of("warmupSteps", 0, "historyLength", 3, off, false),
              init);
      coba.update(Report.of(1, Map.of("a", 1.8, "b", 4.0)));
      coba.update(Report.of(2, Map.of("a", 1.6, "b", 3.6)));
      Update u = coba.update(Report.of(3, Map.of("a", 2.0, "b", 2.7)));
      double[] rcs = u.taskDiagnostics().get("rcs");
      double[] acs = u.taskDiagnostics().get("acs");
      double[] w = u.weights().values();
      switch (off) {
        case "useRcs" -> assertArrayEquals(acs, w, 0);
        case "useAcs" -> assertArrayEquals(rcs, w, 0);
        default -> {
          assertEquals(0.5, u.diagnostics().get("df"), 0);
          assertEquals(0.5 * rcs[0] + 0.5 * acs[0], w[0], EPS);
        }
      }
    }
  }

  @Test
  void zeroLossesAndHugeLossesStayFinite() {
    Balancer coba =
        Methods.create(
            "coba", List.of("a", "b"), Map.of("warmupSteps", 0, "historyLength", 4), null);
    // a zero before a reference exists is skipped; a later zero is a ratio of 0
    coba.update(Report.of(1, Map.of("a", 0.0, "b", 1.0)));
    // 1e100 times b's reference: the most allowed (1e300 is refused: see above)
    coba.update(Report.of(2, Map.of("a", 2.0, "b", 1e100)));
    coba.update(Report.of(3, Map.of("a", 0.0, "b", 0.5)));
    Update u = coba.update(Report.of(4, Map.of("a", 1.0, "b", 1e-300)));
    for (double w : u.weights().values()) {
      assertEquals(true, Double.isFinite(w) && w >= 0, "weight " + w);
    }
    assertEquals(1.0, u.weights().get(0) + u.weights().get(1), EPS);
  }
}
