package dev.coba.trainer.train;

import ai.djl.ndarray.NDManager;
import dev.coba.client.CobaClient;
import dev.coba.trainer.data.TaskData;
import dev.coba.trainer.model.CausalLm;
import dev.coba.trainer.model.ModelConfig;
import dev.coba.trainer.model.TrainStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model trained by {@link BalancedSteps} for timing: what a step costs with a method and a
 * reporting interval, full validation and checkpoints left out (they cost every method alike).
 */
public final class StepTimer implements AutoCloseable {
  /** A method and how often it gets a validation report. */
  public record Variant(String method, int valEvery) {}

  private final NDManager manager;
  private final CobaClient client;
  private final TrainStep trainer;
  private final BalancedSteps steps;
  private long done;

  public StepTimer(List<TaskData> tasks, TrainSettings settings, Variant variant) {
    manager = NDManager.newBaseManager();
    CausalLm lm =
        CausalLm.create(
            new ModelConfig(
                settings.layers(),
                settings.dModel(),
                settings.heads(),
                BalancedSteps.inputLength(tasks),
                settings.seed()),
            manager);
    List<String> names = tasks.stream().map(TaskData::name).toList();
    boolean balanced = !variant.method().equals("uniform");
    Map<String, Double> ones = new LinkedHashMap<>();
    names.forEach(n -> ones.put(n, 1.0));
    client =
        balanced
            ? Balancing.inProcess()
                .open(
                    "overhead-" + variant.method() + "-" + variant.valEvery(),
                    variant.method(),
                    names,
                    ones)
            : null;
    boolean gradNorms = balanced && BalancedSteps.needsGradNorms(variant.method());
    trainer =
        new TrainStep(
            lm,
            tasks.size(),
            BalancedSteps.objectiveOf(client),
            settings.learningRate(),
            settings.clip());
    steps =
        new BalancedSteps(
            tasks, lm, manager, trainer, client, gradNorms, settings, variant.valEvery());
  }

  /** Trains {@code n} more steps; the wall seconds they took. */
  public double time(int n) {
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      steps.step(++done);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  @Override
  public void close() {
    trainer.close();
    if (client != null) {
      client.close();
    }
    manager.close();
  }
}
