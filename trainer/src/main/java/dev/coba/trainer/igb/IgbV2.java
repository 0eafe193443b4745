package dev.coba.trainer.igb;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Params;
import dev.coba.core.Update;
import dev.coba.core.Weights;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * IGBv2, improvable gap balancing by deep reinforcement learning (Dai, Fei and Lu, 2023;
 * docs/coba-spec.md, "Peers"): a {@link SoftActorCritic} agent picks the weights. The objective
 * is {@link Objective#LOG}, as igbv1's.
 *
 * <p>Base losses {@code b_i} as igbv1: the mean of the task's positive losses over its base
 * window ({@code baseWindow}, {@code baseStart}; by default the task's reports
 * {@code W+1 .. 2W}); a zero is the task absent, and an absent task keeps its last loss. Until
 * every base is complete the weights are uniform. Then:
 * <ul>
 *   <li>state {@code s_i = l_i / b_i} (the current losses, normalised by the base as IGB does:
 *       the agent is then scale-free), capped at 1e6;
 *   <li>action {@code K * softmax(u)} with {@code u} drawn from the actor; the weights returned
 *       are {@code softmax(u)}, summing to 1 (the factor K is a constant scale of the objective
 *       left to the trainer, see igbv1);
 *   <li>reward, at each report after the first with a complete base,
 *       {@code rewardScale * min_i (l_i(t-1) - l_i(t)) / b_i}, stored with the previous state,
 *       the action taken after it and the new state in a replay buffer of {@code bufferSize};
 *   <li>while a task has fewer than {@code randomWindows * baseWindow} reports, the weights are
 *       {@code softmax} of standard normal noise (exploration, the paper's first 5 epochs);
 *       afterwards the actor samples them;
 *   <li>every {@code updateEvery} reports, once the buffer holds {@code batchSize}
 *       transitions, the agent takes {@code gradientSteps} gradient steps on batches drawn
 *       from the buffer (the paper's reference takes 25 to 50 of 128 to 256 at every 50).
 * </ul>
 *
 * <p>Deterministic: all randomness (initial weights, exploration, noise, batches) comes from
 * one {@link CounterRng} seeded by {@code seed}, and the state holds the networks, the Adam
 * moments, the temperature, the buffer, the generator's counter and the counters. On the same
 * machine and engine the same reports give bit-identical weights, after a restore too (libtorch
 * on the CPU is deterministic for the same shapes and thread settings).
 *
 * <p>Not permutation-equivariant: the networks' seeded initial weights give each input and output
 * position its own role, so reordering the tasks changes the weights; in distribution it is
 * equivariant, but not value for value. Per report O(K) plus one actor forward; per update
 * {@code gradientSteps} steps of O(batchSize * hidden * (K + hidden)). The state holds up to
 * {@code bufferSize} transitions of 3K + 1 numbers plus five networks of about
 * {@code hidden^2 + 4 K hidden} weights and their Adam moments (about 3 MB of JSON for K = 3 and
 * a full buffer). The initial losses play no part.
 */
public final class IgbV2 extends AbstractBalancer {
  static final String NAME = "igbv2";
  static final double MIN_WEIGHT = 1e-300;
  static final double MAX_STATE = 1e6;

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          NAME,
          "Improvable Gap Balancing v2: a Soft Actor-Critic agent picks the weights from the losses normalised "
              + "by igbv1's base losses, rewarded by min_i (l_i(t-1) - l_i(t)) / b_i; applied to log losses "
              + "(objective log).",
          List.of(
              ParamSpec.integer(
                  "baseWindow",
                  20,
                  1,
                  1_000_000,
                  "reports per task in the base window (the analogue of an epoch), as igbv1"),
              ParamSpec.integer(
                  "baseStart",
                  0,
                  0,
                  1_000_000_000,
                  "the task's report number (1-based) that opens the base window; 0 means baseWindow + 1, "
                      + "as igbv1"),
              ParamSpec.integer(
                  "randomWindows",
                  5,
                  0,
                  1_000_000,
                  "base windows of reports with random weights before the agent picks them"),
              ParamSpec.integer(
                  "seed",
                  0,
                  0,
                  1L << 53,
                  "seed of the agent's initial weights, exploration noise and batches"),
              ParamSpec.integer(
                  "updateEvery", 50, 1, 1_000_000, "reports between two agent updates"),
              ParamSpec.integer("gradientSteps", 25, 1, 10_000, "gradient steps per agent update"),
              ParamSpec.integer("batchSize", 128, 1, 100_000, "transitions per gradient step"),
              ParamSpec.integer(
                  "bufferSize", 10_000, 1, 1_000_000, "transitions kept in the replay buffer"),
              ParamSpec.real(
                  "lr",
                  3e-4,
                  1e-12,
                  1,
                  "Adam learning rate of the actor, the critics and the " + "temperature"),
              ParamSpec.integer(
                  "hidden", 64, 1, 1024, "units in each of the two hidden layers of each network"),
              ParamSpec.real("gamma", 0.99, 0, 0.9999, "discount of future rewards"),
              ParamSpec.real("tau", 0.005, 1e-9, 1, "Polyak rate of the target critics"),
              ParamSpec.real(
                  "alpha",
                  0.2,
                  1e-9,
                  1e3,
                  "initial entropy temperature (then tuned towards entropy -K)"),
              ParamSpec.real("rewardScale", 1, 1e-12, 1e12, "factor on the reward")),
          List.of("valLosses"),
          Objective.LOG,
          IgbV2::new);

  private final long first;
  private final long last;
  private final int window;
  private final long randomUntil;
  private final int updateEvery;
  private final int gradientSteps;
  private final int batchSize;
  private final double rewardScale;
  private final CounterRng rng;
  private final SoftActorCritic agent;
  private final ReplayBuffer buffer;

  /** Reports handled. */
  private long reports;

  /** Positive losses seen per task. */
  private final long[] seen;

  /** Sum of the task's losses inside the base window so far. */
  private final double[] baseSum;

  /** The task's last positive loss; NaN before one. */
  private final double[] current;

  /** Losses, state and action (K * weights) of the last report with a complete base; NaN before. */
  private final double[] previousLosses;

  private final double[] previousState;
  private final double[] previousAction;

  public IgbV2(List<String> tasks, Params params, double[] initialLosses) {
    super(NAME, tasks, params, initialLosses);
    window = params.getInt("baseWindow");
    long start = params.getLong("baseStart");
    first = start == 0 ? window + 1L : start;
    last = first + window - 1;
    randomUntil = params.getLong("randomWindows") * window;
    updateEvery = params.getInt("updateEvery");
    gradientSteps = params.getInt("gradientSteps");
    batchSize = params.getInt("batchSize");
    int bufferSize = params.getInt("bufferSize");
    if (batchSize > bufferSize) {
      throw new InvalidInputException(
          "params.batchSize",
          "batchSize (" + batchSize + ") must not exceed bufferSize (" + bufferSize + ")");
    }
    rewardScale = params.getDouble("rewardScale");
    rng = new CounterRng(params.getLong("seed"));
    agent =
        new SoftActorCritic(
            k(),
            params.getInt("hidden"),
            params.getDouble("lr"),
            params.getDouble("gamma"),
            params.getDouble("tau"),
            params.getDouble("alpha"),
            rng);
    buffer = new ReplayBuffer(k(), bufferSize);
    seen = new long[k()];
    baseSum = new double[k()];
    current = nans();
    previousLosses = nans();
    previousState = nans();
    previousAction = nans();
  }

  @Override
  public Objective objective() {
    return Objective.LOG;
  }

  @Override
  protected Update apply(TaskReport report) {
    reports++;
    long fewest = Long.MAX_VALUE;
    for (int i = 0; i < k(); i++) {
      double loss = report.val()[i];
      if (report.hasVal(i) && loss > 0) { // a zero is the task absent from the validation batch
        current[i] = loss;
        seen[i]++;
        if (seen[i] >= first && seen[i] <= last) {
          baseSum[i] += loss;
        }
      }
      fewest = Math.min(fewest, seen[i]);
    }
    Map<String, double[]> perTask = new LinkedHashMap<>();
    double[] base = new double[k()];
    for (int i = 0; i < k(); i++) {
      base[i] = fewest >= last ? baseSum[i] / window : Double.NaN;
    }
    perTask.put("base", base);
    if (fewest < last) {
      return new Update(report.step(), Weights.uniform(tasks()), objective(), perTask, Map.of());
    }
    double[] state = new double[k()];
    for (int i = 0; i < k(); i++) {
      state[i] = Math.min(current[i] / base[i], MAX_STATE);
    }
    perTask.put("state", state.clone());
    Map<String, Double> diagnostics = new LinkedHashMap<>();
    if (!Double.isNaN(previousState[0])) {
      double reward = reward(previousLosses, current, base, rewardScale);
      buffer.add(previousState, previousAction, reward, state);
      diagnostics.put("reward", reward);
    }
    if (reports % updateEvery == 0 && buffer.size() >= batchSize) {
      agent.update(buffer, gradientSteps, batchSize, rng);
    }
    diagnostics.put("alpha", agent.alpha());
    double[] w = fewest < randomUntil ? randomWeights() : agent.act(state, rng);
    w = floorAndNormalise(w, MIN_WEIGHT);
    System.arraycopy(current, 0, previousLosses, 0, k());
    System.arraycopy(state, 0, previousState, 0, k());
    for (int i = 0; i < k(); i++) {
      previousAction[i] = k() * w[i];
    }
    return new Update(report.step(), new Weights(tasks(), w), objective(), perTask, diagnostics);
  }

  /**
   * {@code scale * min_i (before_i - now_i) / base_i}: the smallest normalised decline, each
   * held within ±{@link #MAX_STATE} like the state, so that the networks stay finite.
   */
  static double reward(double[] before, double[] now, double[] base, double scale) {
    double min = MAX_STATE;
    for (int i = 0; i < now.length; i++) {
      min = Math.min(min, Math.max((before[i] - now[i]) / base[i], -MAX_STATE));
    }
    return scale * min;
  }

  private double[] randomWeights() {
    double[] z = rng.gaussians(k());
    double max = Arrays.stream(z).max().orElseThrow();
    double sum = 0;
    for (int i = 0; i < k(); i++) {
      z[i] = Math.exp(z[i] - max);
      sum += z[i];
    }
    for (int i = 0; i < k(); i++) {
      z[i] /= sum;
    }
    return z;
  }

  private double[] nans() {
    double[] a = new double[k()];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  @Override
  protected void writeState(StateWriter out) {
    out.put("reports", reports)
        .put("seen", seen)
        .put("baseSum", baseSum)
        .put("current", current)
        .put("previousLosses", previousLosses)
        .put("previousState", previousState)
        .put("previousAction", previousAction)
        .put("rngCounter", rng.counter());
    buffer.write(out);
    agent.write(out);
  }

  @Override
  protected void readState(StateReader in) {
    reports = in.getLong("reports");
    in.copyInto("seen", seen);
    in.copyInto("baseSum", baseSum);
    in.copyInto("current", current);
    in.copyInto("previousLosses", previousLosses);
    in.copyInto("previousState", previousState);
    in.copyInto("previousAction", previousAction);
    rng.setCounter(in.getLong("rngCounter"));
    buffer.read(in);
    agent.read(in);
  }
}
