package dev.coba.core.coba;

import static dev.coba.core.testing.RandomHistories.COBA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.testing.RandomHistories.History;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast CoBa agrees with the naive refit-everything twin on thousands of random histories. */
class CoBaAgreementTest {
  private static final double TOL = 1e-12;

  @Test
  void agreesWithNaiveOnRandomHistories() {
    Random rnd = new Random(20261122);
    int compared = 0;
    for (int h = 0; h < 3000; h++) {
      History hist = COBA.history(rnd, 1 + rnd.nextInt(6), 1 + rnd.nextInt(160));
      int warmup = rnd.nextInt(12);
      int n = 2 + rnd.nextInt(15);
      double tau = new double[] {0, 0.5, 1, 5, 20}[rnd.nextInt(5)];
      boolean useRcs = rnd.nextInt(5) != 0;
      boolean useAcs = !useRcs || rnd.nextInt(5) != 0;
      boolean useDf = rnd.nextInt(5) != 0;
      Balancer fast =
          Methods.create(
              "coba",
              hist.tasks(),
              Map.of(
                  "warmupSteps",
                  warmup,
                  "historyLength",
                  n,
                  "tau",
                  tau,
                  "useRcs",
                  useRcs,
                  "useAcs",
                  useAcs,
                  "useDf",
                  useDf),
              hist.initialLosses());
      NaiveCoBa naive =
          new NaiveCoBa(hist.tasks(), warmup, n, tau, hist.initialLosses(), useRcs, useAcs, useDf);
      for (Report r : hist.reports()) {
        Update u = fast.update(r);
        double[] expected = naive.report(r.step(), r.valLosses());
        double[] actual = u.weights().values();
        String where = "history " + h + " step " + r.step();
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], TOL, where + " task " + i);
        }
        if (naive.lastSlopes != null) {
          assertEquals(naive.lastDf, u.diagnostics().get("df"), TOL, where + " df");
          double[] slopes = u.taskDiagnostics().get("slopes");
          for (int i = 0; i < slopes.length; i++) {
            assertEquals(
                naive.lastSlopes[i],
                slopes[i],
                4e-16 * Math.abs(naive.lastSlopes[i]),
                where + " slope " + i);
          }
        }
        compared++;
      }
    }
    assertTrue(compared > 100_000, "compared " + compared + " reports");
  }

  @Test
  void agreesOnLongRunsWithLargeWindows() {
    Random rnd = new Random(7);
    for (int h = 0; h < 20; h++) {
      History hist = COBA.history(rnd, 1 + rnd.nextInt(9), 1 + rnd.nextInt(3000));
      Balancer fast =
          Methods.create(
              "coba",
              hist.tasks(),
              Map.of("warmupSteps", 10, "historyLength", 200),
              hist.initialLosses());
      NaiveCoBa naive =
          new NaiveCoBa(hist.tasks(), 10, 200, 5, hist.initialLosses(), true, true, true);
      for (Report r : hist.reports()) {
        Update u = fast.update(r);
        double[] actual = u.weights().values();
        double[] expected = naive.report(r.step(), r.valLosses());
        if (naive.lastSlopes != null) {
          double[] slopes = u.taskDiagnostics().get("slopes");
          for (int i = 0; i < slopes.length; i++) {
            assertEquals(
                naive.lastSlopes[i],
                slopes[i],
                4e-16 * Math.abs(naive.lastSlopes[i]),
                "slope " + i + " at " + r.step());
          }
          assertEquals(naive.lastDf, u.diagnostics().get("df"), 1e-13, "df at " + r.step());
        }
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], actual[i], TOL, "history " + h + " step " + r.step());
        }
      }
    }
  }
}
