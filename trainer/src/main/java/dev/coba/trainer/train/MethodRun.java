package dev.coba.trainer.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.client.CobaClient;
import dev.coba.client.CobaUnavailableException;
import dev.coba.client.StepRecord;
import dev.coba.trainer.data.Batch;
import dev.coba.trainer.data.Batches;
import dev.coba.trainer.data.Example;
import dev.coba.trainer.data.TaskData;
import dev.coba.trainer.model.CausalLm;
import dev.coba.trainer.model.Evaluator;
import dev.coba.trainer.model.ModelConfig;
import dev.coba.trainer.model.TrainStep;
import dev.coba.trainer.results.DfPoint;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.TaskResult;
import dev.coba.trainer.results.ValidationPoint;
import dev.coba.trainer.results.WeightPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Trains one model on the given tasks with one balancing method, in {@code dir}:
 * <ol>
 * <li>step 0: full validation and test passes of the initial model (the ratios' denominators);
 * <li>each step: a batch with every task, trained with the current weights; every
 *     {@code valEvery} steps the losses of a validation mini-batch go to the balancer, whose
 *     answer weights the next steps ({@code uniform} has no balancer: it is the baseline);
 * <li>every {@code evalEvery} steps (and at the last): a full validation pass; the model with
 *     the lowest mean validation-loss ratio is kept in {@code best/}; after {@code patience}
 *     passes without a better one the run stops (unless early stopping is off: a fixed budget);
 *     a checkpoint to resume from goes to {@code last/};
 * <li>the end: the best model's test losses, and {@code result.json} (which marks the run done).
 * </ol>
 */
public final class MethodRun {
  static final String RESULT_FILE = "result.json";
  static final String BEST = "best";
  static final String LAST = "last";
  private static final String PROGRESS_FILE = "progress.json";
  private static final String BALANCER_FILE = "balancer.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final String method;
  private final List<TaskData> tasks;
  private final List<String> names;
  private final TrainSettings settings;
  private final Balancing balancing;
  private final Path dir;
  private final StepListener listener;
  private final int k;
  private boolean diverged;

  public MethodRun(
      String method,
      List<TaskData> tasks,
      TrainSettings settings,
      Balancing balancing,
      Path dir,
      StepListener listener) {
    this.method = method;
    this.tasks = List.copyOf(tasks);
    this.names = tasks.stream().map(TaskData::name).toList();
    this.settings = settings;
    this.balancing = balancing;
    this.dir = dir;
    this.listener = listener;
    this.k = tasks.size();
  }

  /** True when {@code dir} holds a finished run's result. */
  static boolean isDone(Path dir) {
    return Files.isRegularFile(dir.resolve(RESULT_FILE));
  }

  static MethodResult readResult(Path dir) throws IOException {
    return JSON.readValue(dir.resolve(RESULT_FILE).toFile(), MethodResult.class);
  }

  /** Runs to the end, resuming from {@code dir/last} when a checkpoint is there. */
  public MethodResult run() throws IOException {
    if (isDone(dir)) {
      return readResult(dir);
    }
    Files.createDirectories(dir);
    Path last = dir.resolve(LAST);
    Path fresh = dir.resolve(LAST + ".new");
    if (!Files.exists(last) && Files.isRegularFile(fresh.resolve(PROGRESS_FILE))) {
      Files.move(
          fresh, last); // stopped between the two moves of checkpoint(): the new one is whole
    }
    boolean resume = Files.isRegularFile(last.resolve(PROGRESS_FILE));
    List<List<Batch>> valid = fullPass(TaskData::valid);
    List<List<Batch>> test = fullPass(TaskData::test);
    try (NDManager manager = NDManager.newBaseManager()) {
      Progress at;
      CausalLm lm;
      if (resume) {
        at = JSON.readValue(last.resolve(PROGRESS_FILE).toFile(), Progress.class);
        lm = CausalLm.load(last, manager);
      } else {
        lm = initialModel(manager);
        at = start(lm, manager, valid, test);
        lm.save(dir.resolve(BEST)); // the initial model is the best until one beats it
      }
      boolean balanced = !method.equals("uniform");
      try (CobaClient client =
          balanced ? balancing.open(at.runId(), method, names, byTask(at.initialValid())) : null) {
        if (resume && balanced) {
          client.restore(Files.readString(last.resolve(BALANCER_FILE)));
        }
        boolean gradNorms = balanced && BalancedSteps.needsGradNorms(method);
        try (TrainStep trainer =
            new TrainStep(
                lm,
                k,
                BalancedSteps.objectiveOf(client),
                settings.learningRate(),
                settings.clip())) {
          if (resume) {
            trainer.loadOptimizer(last);
          }
          at = train(at, lm, manager, trainer, client, gradNorms, valid);
        }
      }
      return finish(at, manager, test);
    }
  }

  private Progress train(
      Progress at,
      CausalLm lm,
      NDManager manager,
      TrainStep trainer,
      CobaClient client,
      boolean gradNorms,
      List<List<Batch>> valid)
      throws IOException {
    BalancedSteps steps =
        new BalancedSteps(
            tasks, lm, manager, trainer, client, gradNorms, settings, settings.valEvery());
    steps.continueCounts(at.balancerReports(), at.fallbackReports());
    List<ValidationPoint> validation = new ArrayList<>(at.validation());
    List<WeightPoint> weightPoints = new ArrayList<>(at.weights());
    List<DfPoint> df = new ArrayList<>(at.df());
    long trainNanos = at.trainNanos();
    long bestStep = at.bestStep();
    double bestRatio = at.bestRatio();
    long[] taskBestStep = at.taskBestStep().clone();
    double[] taskBestLoss = at.taskBestLoss().clone();
    int stale = at.stale();
    long historyUntil = at.historyUntil();
    long fallbacksSeen = at.fallbackReports();
    boolean fallbackSaid = false;
    listener.onStart(method, at.step(), settings.steps());
    long step = at.step();
    while (step < settings.steps() && (!settings.earlyStop() || stale < settings.patience())) {
      long t0 = System.nanoTime();
      double[] used = steps.weights();
      step++;
      TrainStep.Result r;
      try {
        r = steps.step(step);
      } catch (BalancedSteps.DivergedException e) {
        // the kept model and the last checkpoint are from before; the run ends on them
        System.err.println(
            "train: "
                + method
                + " diverged ("
                + e.getMessage()
                + "); its best model, of step "
                + bestStep
                + ", stands");
        diverged = true;
        break;
      }
      trainNanos += System.nanoTime() - t0;
      if (steps.fallbackReports() > fallbacksSeen) {
        fallbacksSeen = steps.fallbackReports();
        if (!fallbackSaid) {
          fallbackSaid = true; // once: the count goes on in the progress bar and results.json
          System.err.println(
              "train: "
                  + method
                  + ": the balancer did not answer the report of step "
                  + step
                  + " in time ("
                  + balancing.lastFallbackCause()
                  + "); training goes on with its last "
                  + "weights, counted as fallbackReports");
        }
        listener.onFallback(step, steps.fallbackReports(), steps.reports());
      }
      listener.onStep(step, r.losses(), used);
      if (step % settings.evalEvery() == 0 || step == settings.steps()) {
        double[] losses = evaluate(lm, manager, valid);
        validation.add(new ValidationPoint(step, byTask(losses)));
        for (int i = 0; i < k; i++) {
          if (losses[i] < taskBestLoss[i]) {
            taskBestLoss[i] = losses[i];
            taskBestStep[i] = step;
          }
        }
        double ratio = meanRatio(losses, at.initialValid());
        if (ratio < bestRatio) {
          bestRatio = ratio;
          bestStep = step;
          stale = 0;
          lm.save(dir.resolve(BEST));
        } else {
          stale++;
        }
        if (client != null) {
          historyUntil = collectHistory(client, historyUntil, step, weightPoints, df);
        }
        listener.onValidation(step, ratio, bestRatio);
        at =
            new Progress(
                at.runId(),
                step,
                trainNanos,
                at.initialValid(),
                at.initialTest(),
                bestStep,
                bestRatio,
                taskBestStep.clone(),
                taskBestLoss.clone(),
                stale,
                historyUntil,
                steps.reports(),
                steps.fallbackReports(),
                List.copyOf(validation),
                List.copyOf(weightPoints),
                List.copyOf(df));
        checkpoint(at, lm, trainer, client);
      }
    }
    listener.onEnd();
    return at;
  }

  /**
   * Appends the weights (and DF) of the balancer's steps after {@code until} up to {@code step};
   * the last step collected. A sidecar out of reach is asked again at the next pass: training
   * never waits for it.
   */
  private static long collectHistory(
      CobaClient client, long until, long step, List<WeightPoint> weights, List<DfPoint> df) {
    try {
      for (StepRecord rec : client.history(until + 1, step)) {
        weights.add(new WeightPoint(rec.step(), rec.weights()));
        Double d = rec.scalar("df");
        if (d != null) {
          df.add(new DfPoint(rec.step(), d));
        }
        until = rec.step();
      }
    } catch (CobaUnavailableException e) {
      System.err.println(
          "train: the balancer's history is out of reach for now: " + e.getMessage());
    }
    return until;
  }

  /**
   * Writes {@code last/} whole or not at all: into {@code last.new/}, then swapped in. Without
   * the balancer's state (a sidecar out of reach) the previous checkpoint stays.
   */
  private void checkpoint(Progress at, CausalLm lm, TrainStep trainer, CobaClient client)
      throws IOException {
    String balancer = null;
    if (client != null) {
      try {
        balancer = client.exportState();
      } catch (CobaUnavailableException e) {
        System.err.println(
            "train: no checkpoint at step "
                + at.step()
                + ", the balancer is out of reach: "
                + e.getMessage());
        return;
      }
    }
    Path fresh = dir.resolve(LAST + ".new");
    deleteTree(fresh);
    lm.save(fresh);
    trainer.saveOptimizer(fresh);
    if (balancer != null) {
      Files.writeString(fresh.resolve(BALANCER_FILE), balancer);
    }
    JSON.writeValue(fresh.resolve(PROGRESS_FILE).toFile(), at);
    Path last = dir.resolve(LAST);
    deleteTree(last);
    Files.move(fresh, last, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private Progress start(
      CausalLm lm, NDManager manager, List<List<Batch>> valid, List<List<Batch>> test) {
    double[] v0 = evaluate(lm, manager, valid);
    double[] t0 = evaluate(lm, manager, test);
    for (int i = 0; i < k; i++) {
      if (!(v0[i] > 0 && Double.isFinite(v0[i]) && t0[i] > 0 && Double.isFinite(t0[i]))) {
        throw new IllegalArgumentException(
            (settings.initFrom() == null
                    ? "the initial model"
                    : "--init-from " + settings.initFrom())
                + ": the loss of task \""
                + names.get(i)
                + "\" is not finite and positive (validation "
                + v0[i]
                + ", test "
                + t0[i]
                + ")");
      }
    }
    long[] bestSteps = new long[k];
    String runId =
        "train-"
            + method
            + "-"
            + settings.seed()
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    return new Progress(
        runId,
        0,
        0,
        v0,
        t0,
        0,
        1.0,
        bestSteps,
        v0.clone(),
        0,
        0,
        0,
        0,
        List.of(new ValidationPoint(0, byTask(v0))),
        List.of(),
        List.of());
  }

  private MethodResult finish(Progress at, NDManager manager, List<List<Batch>> test)
      throws IOException {
    Evaluator.Scored scored;
    try (NDManager sm = manager.newSubManager()) {
      scored =
          Evaluator.score(
              CausalLm.load(dir.resolve(BEST), sm),
              sm,
              test.stream().flatMap(List::stream).toList(),
              k);
    }
    double[] testLoss = scored.losses();
    Map<String, Double> end = at.validation().get(at.validation().size() - 1).losses();
    Map<String, TaskResult> perTask = new LinkedHashMap<>();
    double sumRatio = 0;
    double sumAbove = 0;
    for (int i = 0; i < k; i++) {
      double ratio = testLoss[i] / at.initialTest()[i];
      sumRatio += ratio;
      double endLoss = end.get(names.get(i));
      double above = (endLoss - at.taskBestLoss()[i]) / at.initialValid()[i];
      sumAbove += above;
      perTask.put(
          names.get(i),
          new TaskResult(
              at.taskBestStep()[i],
              at.taskBestLoss()[i],
              endLoss,
              above,
              at.initialTest()[i],
              testLoss[i],
              ratio,
              scored.answers().exactMatch(i),
              scored.answers().nextTokenAccuracy(i)));
    }
    long spread =
        Arrays.stream(at.taskBestStep()).max().orElse(0)
            - Arrays.stream(at.taskBestStep()).min().orElse(0);
    MethodResult result =
        new MethodResult(
            at.bestStep(),
            at.bestRatio(),
            sumRatio / k,
            MethodResult.meanExactMatch(perTask),
            MethodResult.meanNextTokenAccuracy(perTask),
            spread,
            sumAbove / k,
            at.step() == 0 ? 0 : at.trainNanos() / 1e9 / at.step(),
            at.step(),
            at.step() < settings.steps(),
            diverged,
            at.balancerReports(),
            at.fallbackReports(),
            perTask,
            at.validation(),
            at.weights(),
            at.df());
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(RESULT_FILE).toFile(), result);
    return result;
  }

  private CausalLm initialModel(NDManager manager) throws IOException {
    int maxLength = BalancedSteps.inputLength(tasks);
    if (settings.initFrom() != null) {
      CausalLm lm = CausalLm.load(settings.initFrom(), manager);
      if (lm.config().maxLength() < maxLength) {
        throw new IllegalArgumentException(
            "--init-from: the checkpoint takes "
                + lm.config().maxLength()
                + " tokens, the data has examples of "
                + (maxLength + 1)
                + "; cut them with --max-tokens "
                + (lm.config().maxLength() + 1)
                + " or start from a checkpoint trained on longer ones");
      }
      return lm;
    }
    return CausalLm.create(
        new ModelConfig(
            settings.layers(), settings.dModel(), settings.heads(), maxLength, settings.seed()),
        manager);
  }

  private List<List<Batch>> fullPass(java.util.function.Function<TaskData, List<Example>> split) {
    List<List<Batch>> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(Batches.miniBatches(split.apply(tasks.get(i)), i, settings.evalBatchSize()));
    }
    return out;
  }

  private double[] evaluate(CausalLm lm, NDManager manager, List<List<Batch>> perTask) {
    List<Batch> all = perTask.stream().flatMap(List::stream).toList();
    return Evaluator.evaluate(lm, manager, all, k);
  }

  static double meanRatio(double[] losses, double[] initial) {
    double sum = 0;
    for (int i = 0; i < losses.length; i++) {
      sum += losses[i] / initial[i];
    }
    return sum / losses.length;
  }

  private Map<String, Double> byTask(double[] values) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < k; i++) {
      m.put(names.get(i), values[i]);
    }
    return m;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
