package dev.coba.core.testing;

import dev.coba.core.Report;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Random loss histories shaped like real runs, for the property and naive-twin tests of every
 * method: per task a noisy decaying loss {@code scale * (0.2 + e^(-rate * step))}, some tasks
 * turning upward (overfitting) after a random step, irregular step gaps, tasks missing from
 * some reports, and the odd exact zero (the task absent from the validation batch, as MFTCoder
 * reports it). A report always names at least one task; with initial losses (step 0's) the
 * reports start at step 1, 2 or 3, else at 0, 1 or 2.
 *
 * <p>The two shapes differ where their tests need it: {@link #METHODS} makes more tasks go
 * missing and draws initial losses unrelated to the reported ones; {@link #COBA} draws them
 * where the task's curve starts, as a real step-0 pass would, and throws in the odd huge loss
 * (a million times the task's scale), which CoBa's exact slope fits must survive.
 * {@link #withGradNorms()} and {@link #withTrainLosses()} add the inputs of GradNorm and
 * Uncertainty weighting.
 *
 * @param overfitWithin a task that overfits (3 in 10) turns upward at a step below this
 * @param maxMissing half of the histories miss no task; the others miss each task with a
 *     chance drawn below this
 * @param spikeChance the chance of a loss a million times the task's scale
 * @param initial where the initial losses of {@link #history} come from
 * @param gradNorms whether every report carries a gradient norm for every task
 * @param trainLosses whether reports carry training losses, for a share of the tasks drawn
 *     per history (so: some tasks with a training loss only, some with both, some with neither)
 */
public record RandomHistories(
    int overfitWithin,
    double maxMissing,
    double spikeChance,
    Initial initial,
    boolean gradNorms,
    boolean trainLosses) {

  /** The peer methods' histories: validation losses only. */
  public static final RandomHistories METHODS =
      new RandomHistories(200, 0.4, 0, Initial.UNRELATED, false, false);

  /** CoBa's histories: fewer missing tasks, longer before a task overfits, and loss spikes. */
  public static final RandomHistories COBA =
      new RandomHistories(300, 0.3, 0.002, Initial.NEAR_START, false, false);

  /** Where a history's initial losses come from. */
  public enum Initial {
    /** None: the method starts from its first report. */
    NONE,
    /**
     * For half of the histories, each task's with chance 0.8: {@code e^N(0,1)}, unrelated to
     * the task's reported losses, so that the first ratios {@code l_i(t) / l_i(0)} fall
     * anywhere from far below to far above 1.
     */
    UNRELATED,
    /** For half of the histories, each task's with chance 0.9: within about 0.5% of its curve's start. */
    NEAR_START
  }

  /** Tasks, initial losses and reports drawn together. */
  public record History(
      List<String> tasks, Map<String, Double> initialLosses, List<Report> reports) {}

  /** One task's loss curve. */
  private record Curve(double scale, double rate, double turn, double gradScale) {

    static Curve draw(Random rnd, int overfitWithin) {
      double scale = Math.exp(rnd.nextGaussian() * 2);
      double rate = 0.001 + rnd.nextDouble() * 0.05;
      double turn = rnd.nextDouble() < 0.3 ? rnd.nextInt(overfitWithin) : Double.POSITIVE_INFINITY;
      return new Curve(scale, rate, turn, Math.exp(rnd.nextGaussian()));
    }

    /** The noiseless decay at a step, without the upturn. */
    double decay(long step) {
      return 0.2 + Math.exp(-rate * step);
    }

    double loss(long step) {
      double loss = scale * decay(step);
      return step > turn ? loss + scale * 0.002 * (step - turn) : loss;
    }
  }

  public RandomHistories withoutInitialLosses() {
    return new RandomHistories(
        overfitWithin, maxMissing, spikeChance, Initial.NONE, gradNorms, trainLosses);
  }

  public RandomHistories withGradNorms() {
    return new RandomHistories(overfitWithin, maxMissing, spikeChance, initial, true, trainLosses);
  }

  public RandomHistories withTrainLosses() {
    return new RandomHistories(overfitWithin, maxMissing, spikeChance, initial, gradNorms, true);
  }

  /** {@code task0 .. task(k-1)}. */
  public static List<String> names(int k) {
    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      tasks.add("task" + i);
    }
    return tasks;
  }

  /** Reports naming no task at steps 0 .. count - 1: for a method that reads nothing (rlw, uniform). */
  public static History emptyReports(List<String> tasks, int count) {
    return new History(
        List.copyOf(tasks),
        Map.of(),
        IntStream.range(0, count).mapToObj(s -> Report.of(s, Map.of())).toList());
  }

  /** A copy of {@code losses} with the loss of {@code task}, if any, multiplied by {@code c}. */
  public static Map<String, Double> scaled(Map<String, Double> losses, String task, double c) {
    Map<String, Double> out = new LinkedHashMap<>(losses);
    out.computeIfPresent(task, (t, v) -> v * c);
    return out;
  }

  /** {@code k} tasks ({@link #names}), their initial losses as {@link #initial} says, {@code count} reports. */
  public History history(Random rnd, int k, int count) {
    List<String> tasks = names(k);
    Curve[] curves = new Curve[k];
    for (int i = 0; i < k; i++) {
      curves[i] = Curve.draw(rnd, overfitWithin);
    }
    Map<String, Double> init = new LinkedHashMap<>();
    if (initial != Initial.NONE && rnd.nextBoolean()) {
      for (int i = 0; i < k; i++) {
        if (initial == Initial.UNRELATED && rnd.nextDouble() < 0.8) {
          init.put(tasks.get(i), Math.exp(rnd.nextGaussian()));
        } else if (initial == Initial.NEAR_START && rnd.nextDouble() < 0.9) {
          init.put(tasks.get(i), curves[i].scale() * (1 + 0.005 * rnd.nextGaussian()));
        }
      }
    }
    return new History(
        List.copyOf(tasks), init, reports(rnd, tasks, curves, count, !init.isEmpty()));
  }

  private List<Report> reports(
      Random rnd, List<String> tasks, Curve[] curves, int count, boolean afterStepZero) {
    int k = tasks.size();
    double missing = rnd.nextBoolean() ? 0 : rnd.nextDouble() * maxMissing;
    double withTrain = trainLosses ? rnd.nextDouble() : 0;
    boolean gaps = rnd.nextBoolean();
    long step = afterStepZero ? 1 + rnd.nextInt(3) : rnd.nextInt(3);
    List<Report> out = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      Map<String, Double> val = new LinkedHashMap<>();
      Map<String, Double> train = new LinkedHashMap<>();
      Map<String, Double> grad = new LinkedHashMap<>();
      for (int i = 0; i < k; i++) {
        Curve c = curves[i];
        String task = tasks.get(i);
        if (gradNorms) {
          // shrinking with the loss, never missing: GradNorm needs one per task
          grad.put(task, c.gradScale() * c.decay(step) * Math.exp(0.3 * rnd.nextGaussian()));
        }
        boolean lastChance = i == k - 1 && val.isEmpty() && train.isEmpty();
        if (lastChance || rnd.nextDouble() >= missing) {
          val.put(task, validationLoss(rnd, c, step));
        }
        if (rnd.nextDouble() < withTrain) {
          double loss = c.loss(step) * (0.9 + 0.1 * rnd.nextGaussian()) + 1e-3;
          train.put(task, rnd.nextDouble() < 0.01 ? 0.0 : Math.max(0, loss));
        }
      }
      out.add(new Report(step, val, train, grad));
      step += gaps ? 1 + rnd.nextInt(7) : 1;
    }
    return out;
  }

  private double validationLoss(Random rnd, Curve c, long step) {
    double loss = c.loss(step) * (1 + 0.05 * rnd.nextGaussian());
    double u = rnd.nextDouble();
    if (u < 0.01) {
      return 0.0;
    }
    if (u < 0.01 + spikeChance) {
      return c.scale() * 1e6;
    }
    return Math.max(0, loss);
  }
}
