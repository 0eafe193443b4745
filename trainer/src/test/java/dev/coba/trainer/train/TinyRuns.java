package dev.coba.trainer.train;

import dev.coba.trainer.data.BuiltInTasks;
import dev.coba.trainer.data.TaskData;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** Seconds-long training setups for the tests: a 1-layer d=16 model on cut-down built-in tasks. */
final class TinyRuns {
  private TinyRuns() {}

  /** copy, reverse and lookup with 160 / 160 / 64 training and 24 / 24 / 8 validation and test examples. */
  static List<TaskData> tasks() {
    List<TaskData> all = BuiltInTasks.generate(2);
    return List.of(cut(all.get(0)), cut(all.get(1)), cut(all.get(4)));
  }

  private static TaskData cut(TaskData t) {
    return new TaskData(
        t.name(),
        t.train().subList(0, Math.min(160, t.train().size())),
        t.valid().subList(0, Math.min(24, t.valid().size())),
        t.test().subList(0, Math.min(24, t.test().size())));
  }

  static TrainSettings settings(List<String> methods, long steps) {
    return settings(methods, steps, null);
  }

  static TrainSettings settings(List<String> methods, long steps, URI sidecar) {
    return TrainSettings.builder()
        .methods(methods)
        .steps(steps)
        .seed(3)
        .valEvery(5)
        .evalEvery(10)
        .patience(100)
        .earlyStop(true)
        .batchPerTask(4)
        .valBatchPerTask(4)
        .evalBatchSize(64)
        .maxTokens(256)
        .layers(1)
        .dModel(16)
        .heads(2)
        .learningRate(3e-3f)
        .clip(1f)
        .sidecar(sidecar)
        .token(sidecar == null ? null : "test-token")
        .build();
  }

  static MethodRun run(String method, TrainSettings settings, Path dir, StepListener listener) {
    return new MethodRun(method, tasks(), settings, Balancing.of(settings), dir, listener);
  }
}
