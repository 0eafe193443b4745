package dev.coba.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Objective;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.Weights;
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
 * method: valid weights, the same answers to the same reports, agreement with a naive twin,
 * permutation equivariance, scale freedom, a JSON export and restore that continues
 * bit-identically, and bad input refused without a change of state. {@link MethodContract} runs
 * the ones every method owes for every method; a method's own test calls the rest.
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
    assertValidWeights(w, "");
  }

  /** Every weight finite and positive, the sum 1 within {@link #TOL}; {@code where} names the place in a failure. */
  public static void assertValidWeights(double[] w, String where) {
    double sum = 0;
    for (double v : w) {
      assertTrue(v > 0 && Double.isFinite(v), where + " weight " + v);
      sum += v;
    }
    assertEquals(1, sum, TOL, where);
  }

  /**
   * Feeds the history's reports to the method in order. Before the first: uniform weights, no
   * last step, the objective of the method's descriptor. After each: valid weights
   * ({@link #assertValidWeights(double[])}) in the order of the tasks, the answer for that
   * report's step, in that objective, and the balancer's weights and last step are the answer's.
   */
  public static void assertValidWeights(String method, Map<String, ?> params, History history) {
    Balancer balancer = create(method, params, history);
    Objective objective = Methods.get(method).objective();
    assertEquals(objective, balancer.objective(), method);
    assertNull(balancer.lastStep(), "last step before any report");
    assertArrayEquals(
        uniform(history.tasks().size()),
        balancer.weights().values(),
        0.0,
        "weights before any report");
    for (Report r : history.reports()) {
      Update u = balancer.update(r);
      String where = "step " + r.step();
      assertValidWeights(u.weights().values(), where);
      assertEquals(history.tasks(), u.weights().tasks(), where);
      assertEquals(r.step(), u.step(), where);
      assertEquals(objective, u.objective(), where);
      assertEquals(u.weights(), balancer.weights(), where);
      assertEquals(Long.valueOf(r.step()), balancer.lastStep(), where);
    }
  }

  /**
   * Two balancers fed the same reports side by side (so that any state they share would show)
   * answer the same bit for bit ({@link #assertSameAnswer}) and end in equal states.
   */
  public static void assertDeterministic(String method, Map<String, ?> params, History history) {
    Balancer x = create(method, params, history);
    Balancer y = create(method, params, history);
    for (Report r : history.reports()) {
      assertSameAnswer(x.update(r), y.update(r), "step " + r.step());
    }
    assertEquals(x.exportState(), y.exportState());
  }

  /** The same weights, objective, step and diagnostics, bit for bit. */
  public static void assertSameAnswer(Update expected, Update actual, String where) {
    assertEquals(expected.weights(), actual.weights(), where); // Weights.equals compares the bits
    assertEquals(expected.objective(), actual.objective(), where);
    assertEquals(expected.step(), actual.step(), where);
    assertEquals(
        expected.diagnostics(), actual.diagnostics(), where); // Double.equals compares the bits
    assertEquals(expected.taskDiagnostics().keySet(), actual.taskDiagnostics().keySet(), where);
    expected
        .taskDiagnostics()
        .forEach(
            (name, series) ->
                assertTrue(
                    Arrays.equals(series, actual.taskDiagnostics().get(name)),
                    where + " diagnostic " + name));
  }

  /**
   * Feeds the history's reports to the method in order; after each, the weights equal within
   * {@link #TOL} what {@code naive} computes from all the reports so far.
   *
   * @param where names the history in a failure
   * @return the number of reports compared
   */
  public static int assertAgreesWithNaive(
      String method,
      Map<String, ?> params,
      History history,
      Function<List<Report>, double[]> naive,
      String where) {
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
  public static void assertPermutationEquivariant(
      Random rnd, String method, Map<String, ?> params, History history) {
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
  public static void assertScaleFree(
      String method, Map<String, ?> params, History history, String task, double c) {
    Balancer x = create(method, params, history);
    Balancer y =
        Methods.create(
            method,
            history.tasks(),
            params,
            RandomHistories.scaled(history.initialLosses(), task, c));
    for (Report r : history.reports()) {
      Report s =
          new Report(
              r.step(),
              RandomHistories.scaled(r.valLosses(), task, c),
              r.trainLosses(),
              r.gradNorms());
      assertArrayEquals(
          x.update(r).weights().values(), y.update(s).weights().values(), TOL, "step " + r.step());
    }
  }

  /**
   * Runs the history, exporting the state through JSON and restoring it at each of the
   * {@code cuts} (ascending, each from 0, before any report, to the number of reports): the
   * restored balancer has the same state and weights as the one exported and one never
   * exported, and from there answers bit for bit what both answer. From the second cut on, the
   * balancer exported is the one restored at the cut before.
   */
  public static void assertRestoreContinuesBitIdentically(
      String method, Map<String, ?> params, History history, int... cuts) {
    assertTrue(cuts.length > 0, "no cut");
    List<Report> reports = history.reports();
    Balancer straight = create(method, params, history);
    Balancer exported = create(method, params, history);
    Balancer restored = null;
    int next = 0;
    for (int i = 0; i <= reports.size(); i++) {
      for (; next < cuts.length && cuts[next] == i; next++) {
        restored = roundTrip(restored == null ? exported : restored);
        String at = "restored after " + i + " reports";
        assertEquals(exported.exportState(), restored.exportState(), at);
        assertEquals(straight.exportState(), restored.exportState(), at);
        assertEquals(exported.weights(), restored.weights(), at);
        assertEquals(exported.lastStep(), restored.lastStep(), at);
      }
      if (i == reports.size()) {
        break;
      }
      Report r = reports.get(i);
      Update expected = straight.update(r);
      String after = "after restore, step " + r.step();
      assertSameAnswer(expected, exported.update(r), after);
      if (restored != null) {
        assertSameAnswer(expected, restored.update(r), after);
      }
    }
    assertEquals(
        cuts.length,
        next,
        "cuts " + Arrays.toString(cuts) + " not ascending within 0.." + reports.size());
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
   * {@code field}, in {@link Balancer#verify} as in {@link Balancer#update}, and its state,
   * weights and last step are what they were before.
   */
  public static InvalidInputException assertRefusedWithoutChange(
      String field, Balancer balancer, Report report) {
    BalancerState before = balancer.exportState();
    Weights weights = balancer.weights();
    Long lastStep = balancer.lastStep();
    assertRefused(field, () -> balancer.verify(report));
    InvalidInputException e = assertRefused(field, () -> balancer.update(report));
    assertEquals(
        before, balancer.exportState(), "state changed by a refused report: " + e.getMessage());
    assertEquals(weights, balancer.weights(), e.getMessage());
    assertEquals(lastStep, balancer.lastStep(), e.getMessage());
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
