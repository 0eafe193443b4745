package dev.coba.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.trainer.results.Results;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The settings as a run records them: the exact text of {@code settings.json} (which a resumed run
 * must match, or its {@code --out} is refused) and the {@code settings} of {@code results.json}. A
 * change here breaks every output folder written before it.
 */
class TrainSettingsTest {
  /** Every field set, as {@code train --data ... --init-from ... --sidecar ... --token ...} gives them. */
  private static TrainSettings full() {
    return new TrainSettings(
        List.of("uniform", "coba"),
        1500,
        7,
        10,
        50,
        6,
        true,
        8,
        8,
        128,
        256,
        2,
        64,
        4,
        0.003f,
        1.0f,
        Path.of("/data/tasks"),
        Path.of("/runs/first/uniform/best"),
        URI.create("http://127.0.0.1:8470"),
        "s3cret");
  }

  /** The optional fields left out, and no early stopping. */
  private static TrainSettings bare() {
    return new TrainSettings(
        List.of("stl"),
        20,
        1,
        5,
        10,
        3,
        false,
        4,
        2,
        64,
        32,
        1,
        16,
        2,
        1e-4f,
        0.5f,
        null,
        null,
        null,
        null);
  }

  private static final String FULL =
      """
            {
              "methods" : [ "uniform", "coba" ],
              "steps" : 1500,
              "seed" : 7,
              "valEvery" : 10,
              "evalEvery" : 50,
              "patience" : 6,
              "earlyStop" : true,
              "batchPerTask" : 8,
              "valBatchPerTask" : 8,
              "evalBatchSize" : 128,
              "maxTokens" : 256,
              "layers" : 2,
              "dModel" : 64,
              "heads" : 4,
              "learningRate" : 0.003,
              "clip" : 1.0,
              "data" : "/data/tasks",
              "initFrom" : "/runs/first/uniform/best",
              "balancer" : "http://127.0.0.1:8470"
            }""";

  private static final String BARE =
      """
            {
              "methods" : [ "stl" ],
              "steps" : 20,
              "seed" : 1,
              "valEvery" : 5,
              "evalEvery" : 10,
              "patience" : null,
              "earlyStop" : false,
              "batchPerTask" : 4,
              "valBatchPerTask" : 2,
              "evalBatchSize" : 64,
              "maxTokens" : 32,
              "layers" : 1,
              "dModel" : 16,
              "heads" : 2,
              "learningRate" : 1.0E-4,
              "clip" : 0.5,
              "data" : "built-in",
              "initFrom" : null,
              "balancer" : "in-process"
            }""";

  @Test
  void settingsJsonIsWrittenExactlyAsBefore() throws IOException {
    assertEquals(FULL, TrainJob.JSON.writeValueAsString(full().describe()));
    assertEquals(BARE, TrainJob.JSON.writeValueAsString(bare().describe()));
  }

  @Test
  void resultsJsonRecordsTheSameSettingsWithoutTheToken(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(Results.FILE);
    new Results(full().describe(), List.of("a"), Map.of()).write(file);
    String written = Files.readString(file);
    assertTrue(written.contains("\"settings\" : " + FULL.replace("\n", "\n  ") + ","), written);
    assertTrue(!written.contains("s3cret"), "the token is never written");
    assertEquals(
        List.copyOf(full().describe().keySet()),
        List.copyOf(Results.read(file).settings().keySet()));
  }

  @Test
  void copiesChangeOnlyWhatTheyName() {
    TrainSettings s = full();
    TrainSettings seeded = s.withSeed(99);
    assertEquals(99, seeded.seed());
    assertEquals(
        s,
        new TrainSettings(
            seeded.methods(),
            seeded.steps(),
            s.seed(),
            seeded.valEvery(),
            seeded.evalEvery(),
            seeded.patience(),
            seeded.earlyStop(),
            seeded.batchPerTask(),
            seeded.valBatchPerTask(),
            seeded.evalBatchSize(),
            seeded.maxTokens(),
            seeded.layers(),
            seeded.dModel(),
            seeded.heads(),
            seeded.learningRate(),
            seeded.clip(),
            seeded.data(),
            seeded.initFrom(),
            seeded.sidecar(),
            seeded.token()));
    TrainSettings fixed = s.withoutEarlyStop();
    assertEquals(false, fixed.earlyStop());
    assertEquals(
        s,
        new TrainSettings(
            fixed.methods(),
            fixed.steps(),
            fixed.seed(),
            fixed.valEvery(),
            fixed.evalEvery(),
            fixed.patience(),
            true,
            fixed.batchPerTask(),
            fixed.valBatchPerTask(),
            fixed.evalBatchSize(),
            fixed.maxTokens(),
            fixed.layers(),
            fixed.dModel(),
            fixed.heads(),
            fixed.learningRate(),
            fixed.clip(),
            fixed.data(),
            fixed.initFrom(),
            fixed.sidecar(),
            fixed.token()));
  }

  @Test
  void theBuilderGivesWhatTheConstructorGives() {
    TrainSettings s = full();
    assertEquals(s, s.toBuilder().build());
    assertEquals(
        s,
        TrainSettings.builder()
            .methods(List.of("uniform", "coba"))
            .steps(1500)
            .seed(7)
            .valEvery(10)
            .evalEvery(50)
            .patience(6)
            .earlyStop(true)
            .batchPerTask(8)
            .valBatchPerTask(8)
            .evalBatchSize(128)
            .maxTokens(256)
            .layers(2)
            .dModel(64)
            .heads(4)
            .learningRate(0.003f)
            .clip(1.0f)
            .data(Path.of("/data/tasks"))
            .initFrom(Path.of("/runs/first/uniform/best"))
            .sidecar(URI.create("http://127.0.0.1:8470"))
            .token("s3cret")
            .build());
    // the optional values left out are null, as in bare()
    TrainSettings b = bare();
    assertEquals(b, b.toBuilder().build());
    assertEquals(
        b,
        TrainSettings.builder()
            .methods(List.of("stl"))
            .steps(20)
            .seed(1)
            .valEvery(5)
            .evalEvery(10)
            .patience(3)
            .earlyStop(false)
            .batchPerTask(4)
            .valBatchPerTask(2)
            .evalBatchSize(64)
            .maxTokens(32)
            .layers(1)
            .dModel(16)
            .heads(2)
            .learningRate(1e-4f)
            .clip(0.5f)
            .build());
  }

  @Test
  void theBuilderNamesWhatIsMissingAndTheFlagOutOfRange() {
    IllegalStateException missing =
        assertThrows(
            IllegalStateException.class,
            () -> TrainSettings.builder().methods(List.of("coba")).steps(10).layers(1).build());
    assertEquals(
        "TrainSettings: not given: seed, valEvery, evalEvery, patience, earlyStop, batchPerTask, "
            + "valBatchPerTask, evalBatchSize, maxTokens, dModel, heads, learningRate, clip",
        missing.getMessage());
    IllegalArgumentException heads =
        assertThrows(IllegalArgumentException.class, () -> full().toBuilder().heads(3).build());
    assertEquals("--d-model (64) must be a multiple of --heads (3)", heads.getMessage());
  }

  @Test
  void anOutFolderWrittenWithOtherSettingsIsRefusedBeforeAnyTraining(@TempDir Path dir)
      throws IOException {
    Path out = Files.createDirectories(dir.resolve("run"));
    Path file = out.resolve(TrainJob.SETTINGS_FILE);
    TrainSettings mine = TinyRuns.settings(List.of("uniform"), 20);
    Files.writeString(
        file, TrainJob.JSON.writeValueAsString(mine.withSeed(mine.seed() + 1).describe()));
    String before = Files.readString(file);
    TrainJob job = new TrainJob(mine, out, names -> StepListener.NONE, note -> {});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, job::run);
    assertEquals(
        "--out "
            + out
            + " holds a run with other settings ("
            + file
            + "); give another --out, or the "
            + "same flags to resume it",
        e.getMessage());
    assertEquals(before, Files.readString(file), "nothing changed");
    try (var files = Files.list(out)) {
      assertEquals(List.of(file), files.toList(), "nothing trained");
    }
  }
}
