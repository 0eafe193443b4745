package dev.coba.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.TaskResult;
import dev.coba.trainer.results.ValidationPoint;
import dev.coba.trainer.results.WeightPoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loop on a tiny configuration: loss falls, weights reach the loss, resume is exact, results add up. */
class MethodRunTest {
  private static final List<String> TASKS = List.of("copy", "reverse", "lookup");

  /** Records what each step was trained with. */
  private static final class Recorder implements StepListener {
    final List<double[]> losses = new ArrayList<>();
    final List<double[]> weights = new ArrayList<>();
    final List<Long> steps = new ArrayList<>();
    final long failAt;

    Recorder(long failAt) {
      this.failAt = failAt;
    }

    @Override
    public void onStep(long step, double[] trainLosses, double[] w) {
      if (step == failAt) {
        throw new IllegalStateException("simulated crash at step " + step);
      }
      steps.add(step);
      losses.add(trainLosses.clone());
      weights.add(w.clone());
    }
  }

  private static double mean(List<double[]> rows) {
    return rows.stream().flatMapToDouble(Arrays::stream).average().orElseThrow();
  }

  @Test
  void lossFallsAndTheBalancersWeightsAreTheOnesTrainedWith(@TempDir Path dir) throws IOException {
    Recorder rec = new Recorder(-1);
    MethodResult r = TinyRuns.run("coba", TinyRuns.settings(List.of("coba"), 60), dir, rec).run();

    assertTrue(
        mean(rec.losses.subList(50, 60)) < 0.8 * mean(rec.losses.subList(0, 10)),
        "training loss falls: "
            + mean(rec.losses.subList(0, 10))
            + " -> "
            + mean(rec.losses.subList(50, 60)));
    // a report every valEvery = 5 steps; the weights it answers train the steps after it
    assertEquals(
        List.of(5L, 10L, 15L, 20L, 25L, 30L, 35L, 40L, 45L, 50L, 55L, 60L),
        r.weights().stream().map(WeightPoint::step).toList());
    for (int i = 0; i < rec.steps.size(); i++) {
      long step = rec.steps.get(i);
      double[] expected = {1.0 / 3, 1.0 / 3, 1.0 / 3};
      for (WeightPoint p : r.weights()) {
        if (p.step() < step) {
          expected = TASKS.stream().mapToDouble(p.weights()::get).toArray();
        }
      }
      assertArrayEquals(expected, rec.weights.get(i), "weights of step " + step);
    }
    // CoBa reports DF with every answer: the report steps, positive
    assertEquals(
        r.weights().stream().map(WeightPoint::step).toList(),
        r.df().stream().map(d -> d.step()).toList());
    assertTrue(r.df().stream().allMatch(d -> d.df() > 0), r.df().toString());
  }

  @Test
  void aSidecarThatGoesAwayMidRunIsCountedNotHidden(@TempDir Path dir) throws IOException {
    dev.coba.sidecar.runs.RunRegistry registry =
        dev.coba.sidecar.runs.RunRegistry.open(
            new dev.coba.sidecar.runs.MemoryStore(),
            dev.coba.sidecar.runs.RegistryLimits.defaults());
    dev.coba.sidecar.http.SidecarServer server =
        dev.coba.sidecar.cli.Assembly.server(
                registry, new dev.coba.sidecar.http.ServerConfig("127.0.0.1", 0, "test-token"))
            .start();
    List<long[]> fallbacks = new ArrayList<>();
    StepListener stopsTheSidecar =
        new StepListener() {
          @Override
          public void onStep(long step, double[] trainLosses, double[] weights) {
            if (step == 12) {
              server.stop(); // reports at 5 and 10 were answered; 15, 20, 25, 30 will not be
            }
          }

          @Override
          public void onFallback(long step, long fallbackReports, long reports) {
            fallbacks.add(new long[] {step, fallbackReports, reports});
          }
        };
    MethodResult r;
    try {
      TrainSettings s =
          TinyRuns.settings(
              List.of("coba"), 30, java.net.URI.create("http://127.0.0.1:" + server.port()));
      r = TinyRuns.run("coba", s, dir, stopsTheSidecar).run();
    } finally {
      server.stop();
      registry.close();
    }
    assertEquals(6, r.balancerReports());
    assertEquals(4, r.fallbackReports());
    assertTrue(r.mostlyFallback());
    assertEquals(
        List.of("15 1 3", "20 2 4", "25 3 5", "30 4 6"),
        fallbacks.stream().map(f -> f[0] + " " + f[1] + " " + f[2]).toList());
    assertEquals(30, r.steps(), "training never waits for the sidecar");
  }

  @Test
  void theResultAddsUp(@TempDir Path dir) throws IOException {
    MethodResult r =
        TinyRuns.run("uniform", TinyRuns.settings(List.of("uniform"), 40), dir, StepListener.NONE)
            .run();
    assertEquals(40, r.steps());
    assertFalse(r.stoppedEarly());
    assertTrue(r.weights().isEmpty(), "uniform has no balancer to ask");
    assertEquals(0, r.balancerReports());
    assertEquals(0, r.fallbackReports());
    assertEquals(
        List.of(0L, 10L, 20L, 30L, 40L),
        r.validation().stream().map(ValidationPoint::step).toList());
    ValidationPoint first = r.validation().get(0);
    double best = Double.MAX_VALUE;
    long bestStep = -1;
    for (ValidationPoint p : r.validation()) {
      double ratio =
          TASKS.stream()
              .mapToDouble(t -> p.losses().get(t) / first.losses().get(t))
              .average()
              .orElseThrow();
      if (ratio < best) {
        best = ratio;
        bestStep = p.step();
      }
    }
    assertEquals(bestStep, r.bestStep());
    assertEquals(best, r.meanValLossRatio(), 1e-12);
    double sum = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (String task : TASKS) {
      TaskResult t = r.tasks().get(task);
      assertEquals(t.testLoss() / t.initialTestLoss(), t.testLossRatio(), 1e-15);
      double lowest =
          r.validation().stream().mapToDouble(p -> p.losses().get(task)).min().orElseThrow();
      assertEquals(lowest, t.bestValLoss(), 0);
      sum += t.testLossRatio();
      min = Math.min(min, t.bestStep());
      max = Math.max(max, t.bestStep());
    }
    assertEquals(sum / 3, r.meanTestLossRatio(), 1e-12);
    double exact = 0;
    for (String task : TASKS) {
      TaskResult t = r.tasks().get(task);
      assertTrue(
          t.exactMatch() >= 0 && t.exactMatch() <= 1, task + " exact match " + t.exactMatch());
      assertTrue(t.nextTokenAccuracy() > 0 && t.nextTokenAccuracy() <= 1, task + " " + t);
      exact += t.exactMatch();
    }
    assertEquals(exact / 3, r.meanExactMatch(), 1e-15);
    ValidationPoint last = r.validation().get(r.validation().size() - 1);
    double above = 0;
    for (String task : TASKS) {
      TaskResult t = r.tasks().get(task);
      assertEquals(last.losses().get(task), t.endValLoss(), 0);
      assertEquals(
          (t.endValLoss() - t.bestValLoss()) / first.losses().get(task), t.endAboveBest(), 1e-15);
      above += t.endAboveBest();
    }
    assertEquals(above / 3, r.meanEndAboveBest(), 1e-15);
    assertEquals(null, r.meanNextTokenAccuracy(), "the built-in tasks all have answers");
    assertEquals(max - min, r.bestStepSpread(), 0);
    assertTrue(
        r.meanTestLossRatio() < 1,
        "the selected model beats the initial one: " + r.meanTestLossRatio());
    assertTrue(r.secondsPerStep() > 0);
    assertTrue(Files.isRegularFile(dir.resolve("best/model.params")));
    assertTrue(Files.isRegularFile(dir.resolve("last/optimizer.bin")));
  }

  @Test
  void aRunStoppedMidwayResumesFromItsCheckpointAndEndsIdentically(@TempDir Path dir)
      throws IOException {
    TrainSettings settings = TinyRuns.settings(List.of("coba"), 40);
    MethodResult straight =
        TinyRuns.run("coba", settings, dir.resolve("straight"), StepListener.NONE).run();

    Path broken = dir.resolve("broken");
    assertThrows(
        IllegalStateException.class,
        () -> TinyRuns.run("coba", settings, broken, new Recorder(27)).run());
    assertTrue(
        Files.isRegularFile(broken.resolve("last/progress.json")),
        "checkpoint of step 20 is there");
    Recorder resumed = new Recorder(-1);
    MethodResult again = TinyRuns.run("coba", settings, broken, resumed).run();

    assertEquals(21L, resumed.steps.get(0), "continues after the step-20 checkpoint");
    assertEquals(straight.validation(), again.validation());
    assertEquals(straight.weights(), again.weights());
    assertEquals(straight.df(), again.df());
    assertEquals(straight.tasks(), again.tasks());
    assertEquals(straight.bestStep(), again.bestStep());
    assertEquals(straight.meanTestLossRatio(), again.meanTestLossRatio(), 0);
    // a finished run is read back, not trained again
    assertEquals(again, TinyRuns.run("coba", settings, broken, new Recorder(1)).run());
  }

  @Test
  void gradNormGetsTheHeadsGradientNormsAndMovesTheWeights(@TempDir Path dir) throws IOException {
    MethodResult r =
        TinyRuns.run("gradnorm", TinyRuns.settings(List.of("gradnorm"), 30), dir, StepListener.NONE)
            .run();
    assertEquals(6, r.weights().size());
    WeightPoint last = r.weights().get(5);
    double spread =
        TASKS.stream().mapToDouble(last.weights()::get).max().orElseThrow()
            - TASKS.stream().mapToDouble(last.weights()::get).min().orElseThrow();
    assertTrue(spread > 1e-3, "GradNorm moved the weights: " + last);
  }

  @Test
  void igbTrainsOnTheLogObjective(@TempDir Path dir) throws IOException {
    MethodResult r =
        TinyRuns.run("igbv1", TinyRuns.settings(List.of("igbv1"), 30), dir, StepListener.NONE)
            .run();
    assertTrue(r.meanTestLossRatio() < 1, "igbv1 trains: " + r.meanTestLossRatio());
  }

  @Test
  void earlyStoppingAfterPatienceRunsOut(@TempDir Path dir) throws IOException {
    // a learning rate so small that validation barely moves: some passes are not better
    TrainSettings flat =
        TinyRuns.settings(List.of("uniform"), 400).toBuilder()
            .patience(2)
            .learningRate(1e-6f)
            .build();
    MethodResult r = TinyRuns.run("uniform", flat, dir, StepListener.NONE).run();
    if (r.stoppedEarly()) {
      assertTrue(r.steps() < 400);
      long passesAfterBest = r.validation().stream().filter(p -> p.step() > r.bestStep()).count();
      assertEquals(2, passesAfterBest, "stops after patience = 2 passes without a better ratio");
    } else {
      // every pass improved: then it ran its whole budget
      assertEquals(400, r.steps());
    }
  }

  @Test
  void aNonFiniteLossStopsTheStepBeforeTheBalancerSeesIt(@TempDir Path dir) throws IOException {
    TrainSettings s = TinyRuns.settings(List.of("coba"), 30);
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager();
        dev.coba.client.CobaClient client =
            Balancing.inProcess()
                .open(
                    "diverging",
                    "coba",
                    TASKS,
                    java.util.Map.of("copy", 1.0, "reverse", 1.0, "lookup", 1.0))) {
      dev.coba.trainer.model.CausalLm lm = poisoned(manager);
      try (dev.coba.trainer.model.TrainStep trainer =
          new dev.coba.trainer.model.TrainStep(
              lm, 3, dev.coba.trainer.model.Objective.LINEAR, 3e-3f, 1f)) {
        BalancedSteps steps =
            new BalancedSteps(TinyRuns.tasks(), lm, manager, trainer, client, false, s, 1);
        BalancedSteps.DivergedException e =
            assertThrows(BalancedSteps.DivergedException.class, () -> steps.step(1));
        assertEquals(1, e.step);
      }
      assertTrue(client.history(0, 10).isEmpty(), "nothing reached the balancer");
    }
    // a checkpoint that is broken from the start is refused before any training
    Path broken = dir.resolve("broken");
    try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
      poisoned(manager).save(broken);
    }
    TrainSettings fromBroken = s.toBuilder().initFrom(broken).build();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TinyRuns.run("coba", fromBroken, dir.resolve("run"), StepListener.NONE).run());
    assertTrue(e.getMessage().contains("not finite"), e.getMessage());
  }

  /** A model whose output layer is NaN: every loss it gives is NaN. */
  private static dev.coba.trainer.model.CausalLm poisoned(ai.djl.ndarray.NDManager manager) {
    dev.coba.trainer.model.CausalLm lm =
        dev.coba.trainer.model.CausalLm.create(
            new dev.coba.trainer.model.ModelConfig(1, 16, 2, 40, 3), manager);
    ai.djl.ndarray.NDArray head = lm.head().getArray();
    float[] nan = new float[(int) head.size()];
    Arrays.fill(nan, Float.NaN);
    head.set(nan);
    return lm;
  }

  @Test
  void withoutEarlyStoppingEveryMethodSpendsTheWholeBudget(@TempDir Path dir) throws IOException {
    // the flat run of earlyStoppingAfterPatienceRunsOut, patience 2, but told not to stop
    TrainSettings flat =
        TinyRuns.settings(List.of("uniform"), 60).toBuilder()
            .patience(2)
            .earlyStop(false)
            .learningRate(1e-6f)
            .build();
    MethodResult r = TinyRuns.run("uniform", flat, dir, StepListener.NONE).run();
    assertEquals(60, r.steps());
    assertFalse(r.stoppedEarly());
    assertEquals(
        List.of(0L, 10L, 20L, 30L, 40L, 50L, 60L),
        r.validation().stream().map(ValidationPoint::step).toList());
  }

  @Test
  void stlTrainsOneModelPerTask(@TempDir Path dir) throws IOException {
    MethodResult r =
        new StlRun(TinyRuns.tasks(), TinyRuns.settings(List.of("stl"), 20), dir, StepListener.NONE)
            .run();
    assertEquals(TASKS, List.copyOf(r.tasks().keySet()));
    for (String task : TASKS) {
      assertTrue(Files.isRegularFile(dir.resolve(task).resolve("best/model.params")), task);
    }
    assertEquals(
        List.of(0L, 10L, 20L), r.validation().stream().map(ValidationPoint::step).toList());
    assertEquals(TASKS, List.copyOf(r.validation().get(2).losses().keySet()));
    assertTrue(r.weights().isEmpty());
  }
}
