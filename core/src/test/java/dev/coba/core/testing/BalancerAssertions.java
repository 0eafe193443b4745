package dev.coba.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.function.Executable;

/**
 * The properties every balancer promises (docs/coba-spec.md), checked the same way for every
 * method: valid weights, agreement with a naive twin, permutation equivariance, scale freedom,
 * a JSON export and restore that continues bit-identically, and bad input refused without a
 * change of state.
 */
public final class BalancerAssertions {
  /** The tolerance of weights that should be equal up to rounding. */
  public static final double TOL = 1e-12;

  private static final ObjectMapper JSON = new ObjectMapper();

  private BalancerAssertions() {}

  /** {@code 1/k} each: what a method answers before it can weigh the tasks. */
  public static double[] uniform(int k) {
    double[] w = new double[k];
    Arrays.fill(w, 1.0 / k);
    return w;
  }

  /** Every weight finite and positive, the sum 1 within {@link #TOL}. */
  public static void assertValidWeights(double[] w) {
    double sum = 0;
    for (double v : w) {
      assertTrue(v > 0 && Double.isFinite(v), "weight " + v);
      sum += v;
    }
    assertEquals(1, sum, TOL);
  }

  /** Feeds the history's reports to the method in order; valid weights after each. */
  public static void assertValidWeights(String method, Map<String, ?> params, History history) {
    Balancer balancer = create(method, params, history);
    for (Report r : history.reports()) {
      assertValidWeights(balancer.update(r).weights().values());
    }
  }

  /**
   * Feeds the history's reports to the method in order; after each, the weights equal within
   * {@link #TOL} what {@code naive} computes from all the reports so far.
   *
   * @param where names the history in a failure
   * @return the number of reports compared
   */
  public static int assertAgreesWithNaive(String method, Map<String, ?> params, History history,
      Function<List<Report>, double[]> naive, String where) {
    Balancer balancer = create(method, params, history);
    List<Report> seen = new ArrayList<>();
    for (Report r : history.reports()) {
      seen.add(r);
      double[] w = balancer.update(r).weights().values();
      assertArrayEquals(naive.apply(seen), w, TOL, where + " step " + r.step());
    }
    return seen.size();
  }

  /**
   * The method created with the tasks in their order and shuffled (by {@code rnd}) gives each
   * task the same weight within {@link #TOL} after each report.
   */
  public static void assertPermutationEquivariant(Random rnd, String method, Map<String, ?> params, History history) {
    List<String> shuffled = new ArrayList<>(history.tasks());
    Collections.shuffle(shuffled, rnd);
    Balancer x = create(method, params, history);
    Balancer y = Methods.create(method, shuffled, params, history.initialLosses());
    for (Report r : history.reports()) {
      Map<String, Double> wx = x.update(r).weights().asMap();
      Map<String, Double> wy = y.update(r).weights().asMap();
      for (String t : history.tasks()) {
        assertEquals(wx.get(t), wy.get(t), TOL, "task " + t + " step " + r.step());
      }
    }
  }

  /**
   * Multiplying one task's losses (its initial loss and every reported one) by {@code c}
   * leaves the weights unchanged within {@link #TOL}.
   */
  public static void assertScaleFree(String method, Map<String, ?> params, History history, String task, double c) {
    Balancer x = create(method, params, history);
    Balancer y = Methods.create(method, history.tasks(), params, RandomHistories.scaled(history.initialLosses(), task, c));
    for (Report r : history.reports()) {
      Report s = new Report(r.step(), RandomHistories.scaled(r.valLosses(), task, c), r.trainLosses(), r.gradNorms());
      assertArrayEquals(x.update(r).weights().values(), y.update(s).weights().values(), TOL, "step " + r.step());
    }
  }

  /**
   * Runs the history's first {@code cut} reports, exports the state through JSON and restores
   * it: the restored balancer has the same state and weights, and on the remaining reports it
   * answers bit for bit what both the exported balancer and one never exported answer.
   */
  public static void assertRestoreContinuesBitIdentically(String method, Map<String, ?> params, History history,
      int cut) {
    List<Report> reports = history.reports();
    Balancer straight = create(method, params, history);
    Balancer exported = create(method, params, history);
    for (Report r : reports.subList(0, cut)) {
      straight.update(r);
      exported.update(r);
    }
    Balancer restored = roundTrip(exported);
    assertEquals(exported.exportState(), restored.exportState());
    assertEquals(straight.exportState(), restored.exportState());
    assertEquals(exported.weights(), restored.weights());
    for (Report r : reports.subList(cut, reports.size())) {
      double[] expected = straight.update(r).weights().values();
      String after = "after restore, step " + r.step();
      assertArrayEquals(expected, exported.update(r).weights().values(), 0.0, after);
      assertArrayEquals(expected, restored.update(r).weights().values(), 0.0, after);
    }
    assertEquals(json(straight.exportState()), json(restored.exportState()));
  }

  /** Exports the state, writes it as JSON, reads it back and restores a balancer from it. */
  public static Balancer roundTrip(Balancer balancer) {
    try {
      return Methods.restore(JSON.readValue(json(balancer.exportState()), BalancerState.class));
    } catch (JsonProcessingException e) {
      throw new AssertionError("state does not survive JSON", e);
    }
  }

  /** {@code action} is refused with an {@link InvalidInputException} naming {@code field}. */
  public static InvalidInputException assertRefused(String field, Executable action) {
    InvalidInputException e = assertThrows(InvalidInputException.class, action);
    assertEquals(field, e.field(), e.getMessage());
    return e;
  }

  /**
   * {@code balancer} refuses {@code report} with an {@link InvalidInputException} naming
   * {@code field}, and its state, weights and last step are what they were before.
   */
  public static InvalidInputException assertRefusedWithoutChange(String field, Balancer balancer, Report report) {
    BalancerState before = balancer.exportState();
    InvalidInputException e = assertRefused(field, () -> balancer.update(report));
    assertEquals(before, balancer.exportState(), "state changed by a refused report: " + e.getMessage());
    return e;
  }

  private static Balancer create(String method, Map<String, ?> params, History history) {
    return Methods.create(method, history.tasks(), params, history.initialLosses());
  }

  private static String json(BalancerState state) {
    try {
      return JSON.writeValueAsString(state);
    } catch (JsonProcessingException e) {
      throw new AssertionError("state does not write as JSON", e);
    }
  }
}
