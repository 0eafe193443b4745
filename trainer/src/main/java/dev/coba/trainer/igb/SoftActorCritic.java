package dev.coba.trainer.igb;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.trainer.model.Scalars;
import java.util.function.Supplier;

/**
 * Soft Actor-Critic (Haarnoja et al., 2018, with a learned temperature) whose action is a weight
 * vector: the actor gives a Gaussian over logits {@code u} (mean and clamped log standard
 * deviation per task), and the action is {@code K * softmax(u)}, as in IGBv2. The critic is a
 * pair of Q networks on {@code (state, action)} with Polyak-averaged targets; the temperature
 * {@code alpha} is tuned towards the target entropy {@code -K}. The log-density is the
 * Gaussian's of {@code u}: softmax has no density on the simplex (it is invariant to a shift of
 * {@code u}), so the entropy is measured before it, which is what the temperature needs.
 *
 * <p>The networks' weights, the Adam moments and the temperature are Java arrays, the noise
 * comes from the caller's {@link CounterRng}, and every tensor computation runs in float64 in a
 * manager closed at the end of the call: the agent is its exported state, nothing more, and two
 * agents with the same state and inputs compute bit-identical results. Each gradient step opens
 * DJL's (process-wide) gradient collector twice, one at a time; the caller must not hold one.
 *
 * <p>The computations run with one libtorch intra-op thread (set on the calling thread and
 * restored after): the tensors are tiny, so more threads only add synchronisation, and when the
 * machine's cores are busy with other processes that synchronisation made an update 20 to 60
 * times slower (measured on 2 shared cores: 400 reports took 6 s on one thread, 129 s on two).
 * The results are the same bit for bit with either count.
 */
final class SoftActorCritic {
  private static final double LOG_STD_MIN = -20;
  private static final double LOG_STD_MAX = 2;
  private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

  private final int k;
  private final double gamma;
  private final double tau;
  private final Mlp actorNet;
  private final Mlp criticNet;
  private final double[] actor;
  private final double[] q1;
  private final double[] q2;
  private final double[] q1Target;
  private final double[] q2Target;
  private final Adam actorAdam;
  private final Adam q1Adam;
  private final Adam q2Adam;
  private final Adam alphaAdam;

  /** The log temperature, a one-element array for {@link Adam}. */
  private final double[] logAlpha;

  /** A fresh agent; its initial weights are drawn from {@code rng}. */
  SoftActorCritic(
      int k, int hidden, double lr, double gamma, double tau, double alpha, CounterRng rng) {
    this.k = k;
    this.gamma = gamma;
    this.tau = tau;
    actorNet = new Mlp(k, hidden, hidden, 2 * k);
    criticNet = new Mlp(2 * k, hidden, hidden, 1);
    actor = actorNet.initialise(rng);
    q1 = criticNet.initialise(rng);
    q2 = criticNet.initialise(rng);
    q1Target = q1.clone();
    q2Target = q2.clone();
    actorAdam = new Adam(actorNet.size(), lr);
    q1Adam = new Adam(criticNet.size(), lr);
    q2Adam = new Adam(criticNet.size(), lr);
    alphaAdam = new Adam(1, lr);
    logAlpha = new double[] {Math.log(alpha)};
  }

  double alpha() {
    return Math.exp(logAlpha[0]);
  }

  /** A sampled action for one state, as weights summing to 1 (the action divided by K). */
  double[] act(double[] state, CounterRng rng) {
    return onOneThread(() -> sample(state, rng));
  }

  /** {@code steps} gradient steps, each on a batch of {@code batchSize} drawn from {@code buffer}. */
  void update(ReplayBuffer buffer, int steps, int batchSize, CounterRng rng) {
    onOneThread(
        () -> {
          for (int j = 0; j < steps; j++) {
            train(buffer.sample(batchSize, rng), rng);
          }
          return null;
        });
  }

  private static <T> T onOneThread(Supplier<T> computation) {
    Engine.getEngine("PyTorch"); // loads libtorch before the first JniUtils call
    int before = JniUtils.getNumThreads();
    if (before == 1) {
      return computation.get();
    }
    JniUtils.setNumThreads(1);
    try {
      return computation.get();
    } finally {
      JniUtils.setNumThreads(before);
    }
  }

  private double[] sample(double[] state, CounterRng rng) {
    double[] eps = rng.gaussians(k);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDList out =
          actorNet
              .forward(m.create(state, new Shape(1, k)), actorNet.arrays(m, actor, false))
              .split(2, 1);
      double[] mu = out.get(0).toDoubleArray();
      double[] logStd = out.get(1).clip(LOG_STD_MIN, LOG_STD_MAX).toDoubleArray();
      double[] u = new double[k];
      double max = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < k; i++) {
        u[i] = mu[i] + Math.exp(logStd[i]) * eps[i];
        max = Math.max(max, u[i]);
      }
      double sum = 0;
      for (int i = 0; i < k; i++) {
        u[i] = Math.exp(u[i] - max);
        sum += u[i];
      }
      for (int i = 0; i < k; i++) {
        u[i] /= sum;
      }
      return u;
    }
  }

  /** One gradient step of the critic, the actor and the temperature on a batch, then the targets. */
  private void train(ReplayBuffer.Batch b, CounterRng rng) {
    double[] nextEps = rng.gaussians(b.n * k);
    double[] eps = rng.gaussians(b.n * k);
    Shape bk = new Shape(b.n, k);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray s = m.create(b.states, bk);
      NDArray a = m.create(b.actions, bk);
      NDArray r = m.create(b.rewards, new Shape(b.n, 1));
      NDArray s2 = m.create(b.nextStates, bk);
      double alpha = alpha();

      // the soft Bellman target, from the target critics and a fresh action at the next state
      Policy next = policy(s2, actorNet.arrays(m, actor, false), m.create(nextEps, bk));
      NDArray q2Next =
          minQ(
              s2,
              next.action,
              criticNet.arrays(m, q1Target, false),
              criticNet.arrays(m, q2Target, false));
      NDArray y =
          r.add(q2Next.sub(next.logProb.mul(Scalars.of(r, alpha))).mul(Scalars.of(r, gamma)));

      NDList q1Weights = criticNet.arrays(m, q1, true);
      NDList q2Weights = criticNet.arrays(m, q2, true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray sa = NDArrays.concat(new NDList(s, a), 1);
        NDArray loss =
            criticNet
                .forward(sa, q1Weights)
                .sub(y)
                .square()
                .mean()
                .add(criticNet.forward(sa, q2Weights).sub(y).square().mean());
        gc.backward(loss);
      }
      q1Adam.step(q1, criticNet.gradient(q1Weights));
      q2Adam.step(q2, criticNet.gradient(q2Weights));

      // the actor against the updated critics (their weights held fixed)
      NDList actorWeights = actorNet.arrays(m, actor, true);
      NDList q1Fixed = criticNet.arrays(m, q1, false);
      NDList q2Fixed = criticNet.arrays(m, q2, false);
      double meanLogProb;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        Policy now = policy(s, actorWeights, m.create(eps, bk));
        NDArray loss =
            now.logProb
                .mul(Scalars.of(now.logProb, alpha))
                .sub(minQ(s, now.action, q1Fixed, q2Fixed))
                .mean();
        gc.backward(loss);
        meanLogProb = now.logProb.mean().getDouble();
      }
      actorAdam.step(actor, actorNet.gradient(actorWeights));

      // temperature: d/d(log alpha) of -log alpha * (log pi + target entropy), target entropy -K
      alphaAdam.step(logAlpha, new double[] {-(meanLogProb - k)});
    }
    polyak(q1, q1Target);
    polyak(q2, q2Target);
  }

  void write(StateWriter out) {
    out.put("actor", actor)
        .put("q1", q1)
        .put("q2", q2)
        .put("q1Target", q1Target)
        .put("q2Target", q2Target)
        .put("logAlpha", logAlpha[0]);
    actorAdam.write(out, "actorAdam");
    q1Adam.write(out, "q1Adam");
    q2Adam.write(out, "q2Adam");
    alphaAdam.write(out, "alphaAdam");
  }

  void read(StateReader in) {
    in.copyInto("actor", actor);
    in.copyInto("q1", q1);
    in.copyInto("q2", q2);
    in.copyInto("q1Target", q1Target);
    in.copyInto("q2Target", q2Target);
    logAlpha[0] = in.getDouble("logAlpha");
    actorAdam.read(in, "actorAdam");
    q1Adam.read(in, "q1Adam");
    q2Adam.read(in, "q2Adam");
    alphaAdam.read(in, "alphaAdam");
  }

  /** A reparameterised sample {@code K * softmax(mu + std * eps)} and its log-density (n, 1). */
  private Policy policy(NDArray states, NDList actorWeights, NDArray eps) {
    NDList out = actorNet.forward(states, actorWeights).split(2, 1);
    NDArray logStd = out.get(1).clip(LOG_STD_MIN, LOG_STD_MAX);
    NDArray u = out.get(0).add(logStd.exp().mul(eps));
    NDArray logProb =
        eps.square()
            .mul(Scalars.of(eps, -0.5))
            .sub(logStd)
            .sum(new int[] {1}, true)
            .sub(Scalars.of(eps, k * HALF_LOG_2PI));
    return new Policy(u.softmax(1).mul(Scalars.of(u, k)), logProb);
  }

  private NDArray minQ(NDArray states, NDArray actions, NDList first, NDList second) {
    NDArray sa = NDArrays.concat(new NDList(states, actions), 1);
    return criticNet.forward(sa, first).minimum(criticNet.forward(sa, second));
  }

  private void polyak(double[] online, double[] target) {
    for (int i = 0; i < online.length; i++) {
      target[i] = tau * online[i] + (1 - tau) * target[i];
    }
  }

  private record Policy(NDArray action, NDArray logProb) {}
}
