package dev.coba.core.spi;

import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Objective;
import dev.coba.core.Params;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The part every method shares: task indexing, report validation (nothing changes on a
 * bad report), the step order, the current weights and the state envelope. A method
 * implements {@link #apply} and its own state.
 */
public abstract class AbstractBalancer implements Balancer {
  /** How far restored weights may sum from 1: rounding, never a wrong state (K = 1,024 rounds below 1e-12). */
  static final double WEIGHT_SUM_TOLERANCE = 1e-9;

  private final String method;
  private final List<String> tasks;
  private final int k;
  private final Params params;

  /** Step-0 losses given at creation, NaN where not given. */
  private final double[] initialLosses;

  private final Map<String, Integer> index;
  private long lastStep;
  private boolean hasStep;
  private double[] weights;

  /** Neither a report nor a state taken yet: the one time {@link #importState} may load one. */
  private boolean fresh = true;

  protected AbstractBalancer(
      String method, List<String> tasks, Params params, double[] initialLosses) {
    this.method = method;
    this.tasks = List.copyOf(tasks);
    this.k = tasks.size();
    this.params = params;
    this.initialLosses = initialLosses.clone();
    this.index = new HashMap<>();
    for (int i = 0; i < k; i++) {
      index.put(tasks.get(i), i);
    }
    this.weights = uniform();
  }

  /** Computes the next weights from a validated report; mutates the method's state. */
  protected abstract Update apply(TaskReport report);

  /** Refuses a report the method cannot use (for example: it lacks gradNorms). No mutation. */
  protected void check(TaskReport report) {
    boolean any = false;
    for (double v : report.val()) {
      any |= !Double.isNaN(v);
    }
    if (!any) {
      throw new InvalidInputException(
          "valLosses", "step " + report.step() + ": valLosses names no task");
    }
  }

  /** Writes the method's own state. */
  protected abstract void writeState(StateWriter out);

  /** Reads what {@link #writeState} wrote. */
  protected abstract void readState(StateReader in);

  /** K, the number of tasks: the length of every per-task array. */
  protected final int k() {
    return k;
  }

  @Override
  public final String method() {
    return method;
  }

  @Override
  public final List<String> tasks() {
    return tasks;
  }

  @Override
  public final Params params() {
    return params;
  }

  @Override
  public Objective objective() {
    return Objective.LINEAR;
  }

  @Override
  public final Weights weights() {
    return new Weights(tasks, weights);
  }

  @Override
  public final @Nullable Long lastStep() {
    return hasStep ? lastStep : null;
  }

  @Override
  public final void verify(Report report) {
    check(validate(report));
  }

  @Override
  public final Update update(Report report) {
    TaskReport r = validate(report);
    check(r);
    Update u = apply(r);
    lastStep = r.step();
    hasStep = true;
    weights = u.weights().values();
    fresh = false;
    return u;
  }

  /** Turns a report into task-index form, refusing anything malformed. */
  public final TaskReport validate(Report report) {
    long step = report.step();
    if (step < 0) {
      throw new InvalidInputException("step", "step must be >= 0, got " + step);
    }
    if (hasStep && step <= lastStep) {
      throw new InvalidInputException(
          "step", "step " + step + " does not increase: the last step was " + lastStep);
    }
    if (!hasStep && step == 0 && hasInitialLosses()) {
      throw new InvalidInputException(
          "step", "step 0 is the step of initialLosses; reports start at step 1");
    }
    return new TaskReport(
        step,
        indexed("valLosses", step, report.valLosses()),
        indexed("trainLosses", step, report.trainLosses()),
        indexed("gradNorms", step, report.gradNorms()));
  }

  private double[] indexed(String field, long step, Map<String, Double> values) {
    double[] out = new double[k];
    Arrays.fill(out, Double.NaN);
    for (Map.Entry<String, Double> e : values.entrySet()) {
      Integer i = index.get(e.getKey());
      if (i == null) {
        throw new InvalidInputException(
            field + "." + e.getKey(),
            "step "
                + step
                + ": unknown task '"
                + e.getKey()
                + "' in "
                + field
                + "; tasks are "
                + tasks);
      }
      Double v = e.getValue();
      if (v == null || !Double.isFinite(v)) {
        throw new InvalidInputException(
            field + "." + e.getKey(),
            "step "
                + step
                + ": "
                + field
                + " of task '"
                + e.getKey()
                + "' must be a finite number, got "
                + v);
      }
      if (v < 0) {
        throw new InvalidInputException(
            field + "." + e.getKey(),
            "step " + step + ": " + field + " of task '" + e.getKey() + "' must be >= 0, got " + v);
      }
      out[i] = v;
    }
    return out;
  }

  protected final boolean hasInitialLosses() {
    for (double v : initialLosses) {
      if (!Double.isNaN(v)) {
        return true;
      }
    }
    return false;
  }

  protected final double[] uniform() {
    double[] w = new double[k];
    Arrays.fill(w, 1.0 / k);
    return w;
  }

  /**
   * Raises each weight to at least {@code floor} (a softmax term or a gradient step can reach
   * 0), divides by the sum and checks the result; in place, summing in task order.
   */
  protected final double[] floorAndNormalise(double[] w, double floor) {
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(w[i], floor);
      sum += w[i];
    }
    for (int i = 0; i < w.length; i++) {
      w[i] /= sum;
    }
    return checkPositive(w);
  }

  /**
   * Every weight leaving a method is finite and positive; anything else is a bug of the method,
   * never the trainer's input (that was refused before), hence not an InvalidInputException.
   */
  protected final double[] checkPositive(double[] w) {
    for (double v : w) {
      if (!(v > 0) || !Double.isFinite(v)) {
        throw new IllegalStateException(method + " produced weight " + v);
      }
    }
    return w;
  }

  /** An update with no diagnostics. */
  protected final Update plain(long step, double[] w) {
    return new Update(step, new Weights(tasks, w), objective(), Map.of(), Map.of());
  }

  @Override
  public final BalancerState exportState() {
    StateWriter out = new StateWriter();
    out.put("lastStep", hasStep ? lastStep : -1);
    out.put("hasStep", hasStep);
    out.put("weights", weights);
    writeState(out);
    Map<String, Double> init = new LinkedHashMap<>();
    for (int i = 0; i < k; i++) {
      if (!Double.isNaN(initialLosses[i])) {
        init.put(tasks.get(i), initialLosses[i]);
      }
    }
    return new BalancerState(
        BalancerState.CURRENT_VERSION, method, tasks, params.asMap(), init, out.build());
  }

  /**
   * Loads a state's {@link BalancerState#data() data} (the envelope, then the method's own
   * entries through {@link #readState}) into a balancer just created with that state's tasks,
   * parameters and initial losses. {@link dev.coba.core.Methods#restore} calls it, and checks
   * what it loaded; a method never does.
   *
   * @throws InvalidInputException for an entry missing, mistyped or outside what the method can use
   * @throws IllegalStateException on a balancer that has taken a report or a state already
   */
  public final void importState(Map<String, ? extends @Nullable Object> data) {
    if (!fresh) {
      throw new IllegalStateException(
          method + ": a state is loaded into a new balancer only (Methods.restore)");
    }
    fresh = false;
    StateReader in = new StateReader(data);
    hasStep = in.getBool("hasStep");
    lastStep = in.getLong("lastStep");
    if (hasStep ? lastStep < 0 : lastStep != -1) {
      throw new InvalidInputException(
          "state.data.lastStep",
          hasStep
              ? "lastStep must be >= 0 after a report, got " + lastStep
              : "lastStep must be -1 before any report (hasStep is false), got " + lastStep);
    }
    double[] w = in.getDoubles("weights");
    if (w.length != k) {
      throw new InvalidInputException(
          "state.data.weights", "expected " + k + " weights, got " + w.length);
    }
    weights = checkRestoredWeights(w);
    readState(in);
  }

  /**
   * The weights a restored run answers until its next report: the same promise as every
   * update's (positive, finite, summing to 1), checked here because they come from outside.
   */
  private static double[] checkRestoredWeights(double[] w) {
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      if (!(w[i] > 0) || !Double.isFinite(w[i])) {
        throw new InvalidInputException(
            "state.data.weights[" + i + "]",
            "a weight must be a finite number > 0, got " + (Double.isNaN(w[i]) ? "null" : w[i]));
      }
      sum += w[i];
    }
    if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
      throw new InvalidInputException(
          "state.data.weights", "the weights must sum to 1, got " + sum);
    }
    return w;
  }
}
