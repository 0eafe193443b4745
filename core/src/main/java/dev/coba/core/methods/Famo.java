package dev.coba.core.methods;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.math.Softmax;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Fast Adaptive Multitask Optimization (Liu, Feng, Stone and Liu, NeurIPS 2023) fed validation
 * losses, the CoBa paper's FAMO* (docs/coba-spec.md, "Peers"). Logits {@code xi} start at 0 and
 * {@code w = softmax(xi)}. After a report that carries every task,
 * {@code delta_i = log(l_i(prev) + 1e-8) - log(l_i(now) + 1e-8)} and
 * {@code grad_j = (J^T delta)_j = z_j * (delta_j - sum_i z_i delta_i)} with {@code z = softmax(xi)}
 * (the gradient of {@code softmax(xi)} against delta, as {@code FAMO.update} in the authors' code
 * computes it), then one Adam step on {@code xi} with L2 weight decay added to the gradient, as
 * PyTorch's {@code Adam(weight_decay=gamma)} does: betas (0.9, 0.999), eps 1e-8. Tasks that improved
 * most lose weight. As FAMO* (the CoBa paper, section 4) the weights are the softmax itself,
 * without FAMO's renormalisation by the current losses.
 *
 * <p>Choices where the paper is silent for a report protocol: {@code l(prev)} is the loss at the
 * previous report that carried every task (or the initial losses, when given for every task),
 * so that all deltas cover the same interval; a report missing some task changes nothing (no
 * step, weights unchanged). The {@code + 1e-8} is FAMO's own guard ({@code min_losses = 0});
 * it keeps {@code log 0} finite. A weight that underflows to 0 is raised to 1e-300 before
 * renormalising. Per report O(K), memory O(K).
 */
public final class Famo extends AbstractBalancer {
  static final double LOSS_EPS = 1e-8;
  static final double BETA1 = 0.9;
  static final double BETA2 = 0.999;
  static final double ADAM_EPS = 1e-8;
  static final double MIN_WEIGHT = 1e-300;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "famo",
          "Fast Adaptive Multitask Optimization on validation losses (FAMO*): w = softmax(xi), "
              + "xi moved by Adam against the per-task log-loss decrease.",
          List.of(
              ParamSpec.real(
                  "lr", 0.025, 0, 10, "Adam learning rate of the logits, in [0, 10] (FAMO's w_lr)"),
              ParamSpec.real(
                  "weightDecay",
                  0.01,
                  0,
                  10,
                  "L2 weight decay of the logits, in [0, 10] (FAMO's gamma; pulls the weights toward uniform)")),
          List.of("valLosses"),
          Objective.LINEAR,
          Famo::new);

  private final double lr;
  private final double weightDecay;
  private final double[] logits;

  /** Adam's first and second moment estimates. */
  private final double[] m;

  private final double[] v;

  /** Adam steps taken (for the bias corrections). */
  private long adamSteps;

  /** The losses of the last report that carried every task; NaN before one. */
  private final double[] prev;

  public Famo(List<String> tasks, Params params, double[] initialLosses) {
    super("famo", tasks, params, initialLosses);
    lr = params.getDouble("lr");
    weightDecay = params.getDouble("weightDecay");
    logits = new double[k()];
    m = new double[k()];
    v = new double[k()];
    prev = new double[k()];
    Arrays.fill(prev, Double.NaN);
    boolean allGiven = true;
    for (double l : initialLosses) {
      allGiven &= !Double.isNaN(l);
    }
    if (allGiven) {
      System.arraycopy(initialLosses, 0, prev, 0, k()); // step 0 counts as a full report
    }
  }

  @Override
  protected Update apply(TaskReport report) {
    double[] now = report.val();
    for (int i = 0; i < k(); i++) {
      if (!report.hasVal(i)) {
        // a partial report: no common interval for the deltas, nothing changes
        return update(report.step(), null);
      }
    }
    double[] delta = null;
    if (!Double.isNaN(prev[0])) {
      delta = new double[k()];
      for (int i = 0; i < k(); i++) {
        delta[i] = Math.log(prev[i] + LOSS_EPS) - Math.log(now[i] + LOSS_EPS);
      }
      adamStep(gradient(delta));
    }
    System.arraycopy(now, 0, prev, 0, k());
    return update(report.step(), delta);
  }

  /** (J^T delta)_j with J = diag(z) - z z^T, the Jacobian of z = softmax(xi). */
  private double[] gradient(double[] delta) {
    double[] z = Softmax.of(logits);
    double zDelta = 0;
    for (int i = 0; i < k(); i++) {
      zDelta += z[i] * delta[i];
    }
    double[] g = new double[k()];
    for (int j = 0; j < k(); j++) {
      g[j] = z[j] * (delta[j] - zDelta);
    }
    return g;
  }

  /** One step of PyTorch's Adam (L2 weight decay added to the gradient), in its order of operations. */
  private void adamStep(double[] grad) {
    adamSteps++;
    double bias1 = 1 - Math.pow(BETA1, adamSteps);
    double bias2Sqrt = Math.sqrt(1 - Math.pow(BETA2, adamSteps));
    double stepSize = lr / bias1;
    for (int i = 0; i < k(); i++) {
      double g = grad[i] + weightDecay * logits[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * g;
      v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
      double denom = Math.sqrt(v[i]) / bias2Sqrt + ADAM_EPS;
      logits[i] -= stepSize * m[i] / denom;
    }
  }

  private Update update(long step, double @Nullable [] delta) {
    double[] w = floorAndNormalise(Softmax.of(logits), MIN_WEIGHT);
    Map<String, double[]> perTask = new LinkedHashMap<>();
    perTask.put("logits", logits.clone());
    if (delta != null) {
      perTask.put("delta", delta);
    }
    return new Update(step, new Weights(tasks(), w), objective(), perTask, Map.of());
  }

  @Override
  protected void writeState(StateWriter out) {
    out.put("logits", logits)
        .put("adamM", m)
        .put("adamV", v)
        .put("adamSteps", adamSteps)
        .put("prev", prev);
  }

  @Override
  protected void readState(StateReader in) {
    in.copyInto("logits", logits, StateReader.Values.FINITE);
    in.copyInto("adamM", m, StateReader.Values.FINITE);
    in.copyInto("adamV", v, StateReader.Values.NON_NEGATIVE); // its square root divides
    in.copyInto("prev", prev, StateReader.Values.NON_NEGATIVE_OR_UNSET);
    for (double p :
        prev) { // the deltas need every task's previous loss, or none (before the first full
      // report)
      if (Double.isNaN(p) != Double.isNaN(prev[0])) {
        throw new InvalidInputException(
            "state.data.prev",
            "prev must hold every task's loss or none, got " + Arrays.toString(prev));
      }
    }
    adamSteps = in.getLong("adamSteps", 0);
  }
}
