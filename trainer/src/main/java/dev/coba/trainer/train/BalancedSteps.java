package dev.coba.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.coba.client.CobaClient;
import dev.coba.client.StepReport;
import dev.coba.client.Weights;
import dev.coba.trainer.data.Batch;
import dev.coba.trainer.data.Batches;
import dev.coba.trainer.data.Example;
import dev.coba.trainer.data.TaskData;
import dev.coba.trainer.model.CausalLm;
import dev.coba.trainer.model.Evaluator;
import dev.coba.trainer.model.TrainStep;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of a step that a balancing method costs: train on the step's batch with the current
 * weights, and every {@code valEvery} steps evaluate a validation mini-batch and report it (with
 * the training losses, and the head's gradient norms when the method needs them) for the next
 * weights. Without a client (uniform) it only trains. What the overhead benchmark times.
 */
final class BalancedSteps {
  private final List<String> names;
  private final CausalLm lm;
  private final NDManager manager;
  private final TrainStep trainer;
  private final CobaClient client;
  private final boolean gradNorms;
  private final int valEvery;
  private final int valPerTask;
  private final long valSeed;
  private final Batches batches;
  private final List<List<Example>> validSplits;
  private double[] weights;
  private long reports;
  private long fallbackReports;

  BalancedSteps(
      List<TaskData> tasks,
      CausalLm lm,
      NDManager manager,
      TrainStep trainer,
      CobaClient client,
      boolean gradNorms,
      TrainSettings settings,
      int valEvery) {
    this.names = tasks.stream().map(TaskData::name).toList();
    this.lm = lm;
    this.manager = manager;
    this.trainer = trainer;
    this.client = client;
    this.gradNorms = gradNorms;
    this.valEvery = valEvery;
    this.valPerTask = settings.valBatchPerTask();
    this.valSeed = settings.seed() ^ 0x5EEDL;
    this.batches = new Batches(tasks, settings.batchPerTask(), settings.seed());
    this.validSplits = tasks.stream().map(TaskData::valid).toList();
    if (client == null) {
      weights = new double[tasks.size()];
      Arrays.fill(weights, 1.0 / tasks.size());
    } else {
      weights = inOrder(client.weights());
    }
  }

  /** The objective the weights apply to: the balancer's (log for the IGB methods); linear without one. */
  static dev.coba.trainer.model.Objective objectiveOf(CobaClient client) {
    return client != null && client.weights().objective() == dev.coba.client.Objective.LOG
        ? dev.coba.trainer.model.Objective.LOG
        : dev.coba.trainer.model.Objective.LINEAR;
  }

  /** Whether {@code method} is fed the head's per-task gradient norms (gradnorm). */
  static boolean needsGradNorms(String method) {
    try {
      return dev.coba.core.Methods.get(method).inputs().contains("gradNorms");
    } catch (RuntimeException unknownHere) {
      return false; // a method only the sidecar knows: it says what it lacks
    }
  }

  /**
   * The input length a model needs for {@code tasks}: every split's longest example but its last
   * token (the model sees all tokens but the last), at least 2.
   */
  static int inputLength(List<TaskData> tasks) {
    int longest =
        tasks.stream()
            .flatMap(
                t ->
                    java.util.stream.Stream.of(t.train(), t.valid(), t.test())
                        .flatMap(List::stream))
            .mapToInt(Example::length)
            .max()
            .orElse(2);
    return Math.max(2, longest - 1);
  }

  /** Continues the counts of a resumed run. */
  void continueCounts(long reportsSoFar, long fallbackReportsSoFar) {
    reports = reportsSoFar;
    fallbackReports = fallbackReportsSoFar;
  }

  /** The reports made to the balancer so far. */
  long reports() {
    return reports;
  }

  /**
   * The reports the balancer did not answer in time (a sidecar out of reach): the client then
   * gave its last weights again, and the steps until the next report trained on them.
   */
  long fallbackReports() {
    return fallbackReports;
  }

  /** The weights the next step trains with. */
  double[] weights() {
    return weights.clone();
  }

  /** The model's losses are no longer finite at {@code step}: training cannot go on. */
  static final class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long step;

    DivergedException(long step) {
      super("a non-finite loss at step " + step);
      this.step = step;
    }
  }

  /**
   * Trains step number {@code done} (1 first) and reports it if due; its training losses.
   *
   * @throws DivergedException when a loss is NaN or infinite (nothing is reported then: the
   *     balancer would rightly refuse it)
   */
  TrainStep.Result step(long done) {
    TrainStep.Result r = trainer.step(batches.trainBatch(done - 1), weights, gradNorms);
    requireFinite(r.losses(), done);
    if (client != null && done % valEvery == 0) {
      Batch mini = Batches.sample(validSplits, valPerTask, valSeed, done);
      double[] val = Evaluator.evaluate(lm, manager, List.of(mini), names.size());
      requireFinite(val, done);
      StepReport.Builder report =
          StepReport.builder(done).valLosses(byTask(val)).trainLosses(byTask(r.losses()));
      if (gradNorms) {
        report.gradNorms(byTask(r.headGradNorms()));
      }
      Weights answer = client.report(report.build());
      reports++;
      if (answer.fallback()) {
        fallbackReports++;
      }
      weights = inOrder(answer);
    }
    return r;
  }

  private static void requireFinite(double[] losses, long step) {
    for (double l : losses) {
      if (!Double.isFinite(l)) {
        throw new DivergedException(step);
      }
    }
  }

  private double[] inOrder(Weights w) {
    return names.stream().mapToDouble(w::get).toArray();
  }

  Map<String, Double> byTask(double[] values) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), values[i]);
    }
    return m;
  }
}
