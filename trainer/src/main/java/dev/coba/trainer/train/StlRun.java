package dev.coba.trainer.train;

import dev.coba.trainer.data.TaskData;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.TaskResult;
import dev.coba.trainer.results.ValidationPoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Single-task learning ({@code stl}): one model per task, each a {@link MethodRun} on that task
 * alone (in {@code dir/<task>/}), with its own early stopping and best checkpoint. The combined
 * result: each task's numbers from its own model; {@code bestStep} the latest of the models'
 * selected steps; {@code secondsPerStep} the sum of the models' (the cost of advancing all of
 * them one step); the validation curves merged by step (a model that stopped early has no later
 * points); no weights.
 */
public final class StlRun {
  public static final String METHOD = "stl";

  private final List<TaskData> tasks;
  private final TrainSettings settings;
  private final Path dir;
  private final StepListener listener;

  public StlRun(List<TaskData> tasks, TrainSettings settings, Path dir, StepListener listener) {
    this.tasks = List.copyOf(tasks);
    this.settings = settings;
    this.dir = dir;
    this.listener = listener;
  }

  public MethodResult run() throws IOException {
    Map<String, TaskResult> perTask = new LinkedHashMap<>();
    TreeMap<Long, Map<String, Double>> curves = new TreeMap<>();
    long bestStep = 0;
    long steps = 0;
    long minBest = Long.MAX_VALUE;
    long maxBest = Long.MIN_VALUE;
    double valRatio = 0;
    double testRatio = 0;
    double above = 0;
    double seconds = 0;
    boolean allStopped = true;
    boolean anyDiverged = false;
    for (TaskData task : tasks) {
      MethodResult one =
          new MethodRun(
                  "uniform",
                  List.of(task),
                  settings,
                  Balancing.inProcess(),
                  dir.resolve(task.name()),
                  new Named(listener, METHOD + ":" + task.name()))
              .run();
      TaskResult t = one.tasks().get(task.name());
      perTask.put(task.name(), t);
      for (ValidationPoint p : one.validation()) {
        curves.computeIfAbsent(p.step(), s -> new LinkedHashMap<>()).putAll(p.losses());
      }
      bestStep = Math.max(bestStep, one.bestStep());
      steps = Math.max(steps, one.steps());
      minBest = Math.min(minBest, t.bestStep());
      maxBest = Math.max(maxBest, t.bestStep());
      valRatio += one.meanValLossRatio();
      testRatio += t.testLossRatio();
      above += t.endAboveBest();
      seconds += one.secondsPerStep();
      allStopped &= one.stoppedEarly();
      anyDiverged |= one.diverged();
    }
    int k = tasks.size();
    List<ValidationPoint> validation =
        curves.entrySet().stream().map(e -> new ValidationPoint(e.getKey(), e.getValue())).toList();
    return new MethodResult(
        bestStep,
        valRatio / k,
        testRatio / k,
        MethodResult.meanExactMatch(perTask),
        MethodResult.meanNextTokenAccuracy(perTask),
        maxBest - minBest,
        above / k,
        seconds,
        steps,
        allStopped,
        anyDiverged,
        0,
        0,
        perTask,
        validation,
        List.of(),
        List.of());
  }

  /** Shows each single-task model under its own name (e.g. {@code stl:copy}). */
  private record Named(StepListener inner, String name) implements StepListener {
    @Override
    public void onStart(String method, long fromStep, long steps) {
      inner.onStart(name, fromStep, steps);
    }

    @Override
    public void onStep(long step, double[] trainLosses, double[] weights) {
      inner.onStep(step, trainLosses, weights);
    }

    @Override
    public void onValidation(long step, double meanRatio, double bestRatio) {
      inner.onValidation(step, meanRatio, bestRatio);
    }

    @Override
    public void onFallback(long step, long fallbackReports, long reports) {
      inner.onFallback(step, fallbackReports, reports);
    }

    @Override
    public void onEnd() {
      inner.onEnd();
    }
  }
}
