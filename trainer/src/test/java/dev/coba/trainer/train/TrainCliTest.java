package dev.coba.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.trainer.cli.TrainCli;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code train} command end to end on a folder of two small tasks: files, numbers, errors, a sidecar. */
class TrainCliTest {
  private static final String[] TINY = {
    "--steps",
    "20",
    "--eval-every",
    "10",
    "--val-every",
    "5",
    "--layers",
    "1",
    "--d-model",
    "16",
    "--heads",
    "2",
    "--batch-per-task",
    "4",
    "--quiet"
  };

  private record Outcome(int code, String out, String err) {}

  private static Outcome train(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        TrainCli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String[] with(String... more) {
    List<String> all = new ArrayList<>(List.of(TINY));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** Two prompt/completion tasks of 120 lines each: upper-casing and doubling letters. */
  private static Path data(Path dir) throws IOException {
    Path data = Files.createDirectories(dir.resolve("data"));
    Random r = new Random(4);
    StringBuilder upper = new StringBuilder();
    StringBuilder twice = new StringBuilder();
    for (int i = 0; i < 120; i++) {
      String s = Long.toString(Math.abs(r.nextLong()), 36).substring(0, 6);
      upper
          .append("{\"prompt\": \"up:")
          .append(s)
          .append("\", \"completion\": \"")
          .append(s.toUpperCase())
          .append("\"}\n");
      twice
          .append("{\"prompt\": \"2x:")
          .append(s)
          .append("\", \"completion\": \"")
          .append(s)
          .append(s)
          .append("\"}\n");
    }
    Files.writeString(data.resolve("upper.jsonl"), upper);
    Files.writeString(data.resolve("twice.jsonl"), twice);
    return data;
  }

  @Test
  void writesResultsAndAReportThatHoldsItsNumbers(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("run");
    Outcome o =
        train(
            with(
                "--data",
                data(dir).toString(),
                "--methods",
                "uniform,coba,stl",
                "--out",
                out.toString()));
    assertEquals(0, o.code(), o.err());

    Results results = Results.read(out.resolve("results.json"));
    assertEquals(List.of("twice", "upper"), results.taskNames());
    assertEquals(List.of("uniform", "coba", "stl"), List.copyOf(results.methods().keySet()));
    assertEquals(20L, ((Number) results.settings().get("steps")).longValue());
    String html = Files.readString(out.resolve("report.html"));
    for (var e : results.methods().entrySet()) {
      MethodResult m = e.getValue();
      assertTrue(
          html.contains("data-value=\"" + m.meanTestLossRatio() + "\""),
          e.getKey() + " mean test ratio");
      assertTrue(html.contains("data-value=\"" + m.tasks().get("twice").testLossRatio() + "\""));
      assertTrue(
          html.contains("data-value=\"" + m.meanExactMatch() + "\""),
          e.getKey() + " mean exact match");
      assertTrue(o.out().contains(e.getKey()), "summary line for " + e.getKey());
    }
    Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    int images = 0;
    while (img.find()) {
      assertTrue(Files.size(out.resolve(img.group(1))) > 1000, img.group(1));
      images++;
    }
    assertTrue(images >= 5, "charts: " + images);
    assertTrue(o.out().contains("exact match per task"), o.out());
    assertTrue(Files.isRegularFile(out.resolve("coba/best/model.params")));

    // the same flags again: everything is done, nothing retrains, the same results
    Outcome again =
        train(
            with(
                "--data",
                data(dir).toString(),
                "--methods",
                "uniform,coba,stl",
                "--out",
                out.toString()));
    assertEquals(0, again.code(), again.err());
    assertEquals(results, Results.read(out.resolve("results.json")));
    // other flags on the same directory: refused, nothing changed
    Outcome other =
        train(
            with("--data", data(dir).toString(), "--methods", "uniform", "--out", out.toString()));
    assertEquals(2, other.code());
    assertTrue(other.err().contains("other settings"), other.err());
    assertEquals(results, Results.read(out.resolve("results.json")));
  }

  @Test
  void fineTunesFromAnEarlierRunsCheckpoint(@TempDir Path dir) throws IOException {
    Path data = data(dir);
    assertEquals(
        0,
        train(
                with(
                    "--data",
                    data.toString(),
                    "--methods",
                    "uniform",
                    "--out",
                    dir.resolve("first").toString()))
            .code());
    Path best = dir.resolve("first/uniform/best");
    Outcome o =
        train(
            with(
                "--data",
                data.toString(),
                "--methods",
                "coba",
                "--init-from",
                best.toString(),
                "--out",
                dir.resolve("second").toString()));
    assertEquals(0, o.code(), o.err());
    Results first = Results.read(dir.resolve("first/results.json"));
    Results second = Results.read(dir.resolve("second/results.json"));
    // the second run starts where the first one's best model was
    assertEquals(
        first.methods().get("uniform").tasks().get("upper").testLoss(),
        second.methods().get("coba").tasks().get("upper").initialTestLoss(),
        0);

    // longer examples than the checkpoint takes: refused, naming the flag that cuts them
    Path longer = Files.createDirectories(dir.resolve("longer"));
    Files.writeString(
        longer.resolve("long.jsonl"),
        ("{\"prompt\": \"" + "x".repeat(40) + "\", \"completion\": " + "\"y\"}\n").repeat(10));
    Outcome tooLong =
        train(
            with(
                "--data",
                longer.toString(),
                "--methods",
                "uniform",
                "--init-from",
                best.toString(),
                "--out",
                dir.resolve("third").toString()));
    assertEquals(2, tooLong.code(), tooLong.err());
    assertTrue(tooLong.err().contains("--max-tokens"), tooLong.err());
  }

  @Test
  void balancesThroughARunningSidecarExactlyAsInProcess(@TempDir Path dir) throws IOException {
    Path data = data(dir);
    RunRegistry registry = RunRegistry.open(new MemoryStore(), RegistryLimits.defaults());
    SidecarServer server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", 0, "t0ken"))
            .start();
    try {
      Outcome remote =
          train(
              with(
                  "--data",
                  data.toString(),
                  "--methods",
                  "coba",
                  "--out",
                  dir.resolve("remote").toString(),
                  "--sidecar",
                  "http://127.0.0.1:" + server.port(),
                  "--token",
                  "t0ken"));
      assertEquals(0, remote.code(), remote.err());
    } finally {
      server.stop();
      registry.close();
    }
    assertEquals(
        0,
        train(
                with(
                    "--data",
                    data.toString(),
                    "--methods",
                    "coba",
                    "--out",
                    dir.resolve("local").toString()))
            .code());
    MethodResult viaSidecar =
        Results.read(dir.resolve("remote/results.json")).methods().get("coba");
    MethodResult inProcess = Results.read(dir.resolve("local/results.json")).methods().get("coba");
    assertEquals(4, inProcess.weights().size());
    assertEquals(inProcess.weights(), viaSidecar.weights());
    assertEquals(inProcess.validation(), viaSidecar.validation());
    assertEquals(inProcess.tasks(), viaSidecar.tasks());
  }

  @Test
  void aSidecarThatCannotBeReachedIsExit2WithItsUrlBeforeAnyTraining(@TempDir Path dir)
      throws IOException {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    String url = "http://127.0.0.1:" + port;
    Path out = dir.resolve("run");
    Outcome o =
        train(
            with(
                "--data",
                data(dir).toString(),
                "--methods",
                "uniform,coba",
                "--out",
                out.toString(),
                "--sidecar",
                url));
    assertEquals(2, o.code(), o.err());
    assertTrue(o.err().contains(url), o.err());
    assertTrue(Files.notExists(out), "nothing trained, nothing written");
  }

  @Test
  void aSidecarThatRefusesTheTokenOrDoesNotKnowAMethodIsExit2BeforeAnyTraining(@TempDir Path dir)
      throws IOException {
    Path data = data(dir);
    RunRegistry registry = RunRegistry.open(new MemoryStore(), RegistryLimits.defaults());
    SidecarServer server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", 0, "t0ken"))
            .start();
    try {
      String url = "http://127.0.0.1:" + server.port();
      Outcome badToken =
          train(
              with(
                  "--data",
                  data.toString(),
                  "--methods",
                  "coba",
                  "--out",
                  dir.resolve("a").toString(),
                  "--sidecar",
                  url,
                  "--token",
                  "wrong"));
      assertEquals(2, badToken.code(), badToken.err());
      assertTrue(
          badToken.err().contains(url) && badToken.err().contains("--token"), badToken.err());
      Outcome unknown =
          train(
              with(
                  "--data",
                  data.toString(),
                  "--methods",
                  "coba,cobb",
                  "--out",
                  dir.resolve("b").toString(),
                  "--sidecar",
                  url,
                  "--token",
                  "t0ken"));
      assertEquals(2, unknown.code(), unknown.err());
      assertTrue(unknown.err().contains("cobb"), unknown.err());
      assertTrue(Files.notExists(dir.resolve("a")) && Files.notExists(dir.resolve("b")));
    } finally {
      server.stop();
      registry.close();
    }
  }

  @Test
  void smallTasksTrainAndTheConsoleSaysOnceHowTheirDrawsAdapt(@TempDir Path dir)
      throws IOException {
    Path data = data(dir);
    List<String> upper = Files.readAllLines(data.resolve("upper.jsonl"));
    Files.delete(data.resolve("twice.jsonl"));
    Files.write(data.resolve("forty.jsonl"), upper.subList(0, 40)); // 32 / 4 / 4
    Files.write(data.resolve("nine.jsonl"), upper.subList(40, 49)); // 7 / 1 / 1
    Path out = dir.resolve("run");
    Outcome o =
        train(
            "--data",
            data.toString(),
            "--out",
            out.toString(),
            "--methods",
            "uniform,coba",
            "--steps",
            "20",
            "--eval-every",
            "10",
            "--val-every",
            "5",
            "--layers",
            "1",
            "--d-model",
            "16",
            "--heads",
            "2",
            "--batch-per-task",
            "8",
            "--val-batch-per-task",
            "8",
            "--quiet");
    assertEquals(0, o.code(), o.err());
    assertEquals(
        List.of(
            "train: task \"forty\": 4 validation examples, fewer than --val-batch-per-task 8: the "
                + "balancer's validation mini-batch is all 4",
            "train: task \"nine\": 7 training examples, fewer than --batch-per-task 8: each batch has all 7 and "
                + "1 more drawn again at random",
            "train: task \"nine\": 1 validation example, fewer than --val-batch-per-task 8: the balancer's "
                + "validation mini-batch is all 1"),
        o.err().lines().filter(l -> l.startsWith("train: task")).toList());
    Results results = Results.read(out.resolve("results.json"));
    assertEquals(List.of("forty", "nine", "upper"), results.taskNames());
    assertTrue(results.methods().get("coba").tasks().get("nine").testLoss() > 0);
  }

  @Test
  void helpReadsLikeTheOtherCommands() {
    Outcome help = train("--help");
    assertEquals(0, help.code());
    assertTrue(
        help.out().startsWith("Trains a small causal LM")
            && help.out().contains("Usage: coba-sidecar train "),
        help.out());
    assertTrue(
        help.out().contains("Exit codes:") && help.out().contains("  2  bad usage or input"),
        help.out());
    for (String flag :
        List.of("--no-early-stop", "--max-tokens=T", "--batch-per-task=B", "--sidecar=URL")) {
      assertTrue(help.out().contains(flag), flag);
    }
    assertTrue(
        help.out().lines().noneMatch(l -> l.trim().startsWith("Default")),
        "every flag says what it does");
    assertTrue(!help.out().contains("-V, --version"), "no version flag that prints nothing");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        dev.coba.trainer.cli.TrainerBench.run(
            new String[] {"quality", "--help"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code);
    String quality = out.toString(StandardCharsets.UTF_8);
    assertTrue(
        quality.contains("Usage: coba-sidecar bench train quality ")
            && quality.contains("Exit codes:"),
        quality);
    assertTrue(quality.lines().noneMatch(l -> l.trim().startsWith("Default")), quality);
  }

  @Test
  void badInputIsAClearErrorAndExitCode2(@TempDir Path dir) throws IOException {
    Path data = data(dir);
    Files.writeString(
        data.resolve("upper.jsonl"), "{\"prompt\": \"a\", \"completion\": \"b\"}\n{oops\n");
    Outcome badLine = train(with("--data", data.toString(), "--out", dir.resolve("a").toString()));
    assertEquals(2, badLine.code());
    assertTrue(badLine.err().contains("upper.jsonl:2"), badLine.err());

    Files.writeString(data.resolve("upper.jsonl"), "");
    Outcome empty = train(with("--data", data.toString(), "--out", dir.resolve("b").toString()));
    assertEquals(2, empty.code());
    assertTrue(empty.err().contains("upper"), empty.err());

    Outcome unknown =
        train(with("--methods", "uniform,cobb", "--out", dir.resolve("c").toString()));
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("cobb"), unknown.err());

    Outcome badFlag = train("--steps", "0", "--out", dir.resolve("d").toString());
    assertEquals(2, badFlag.code());
    assertTrue(badFlag.err().contains("--steps"), badFlag.err());

    Outcome tooShort = train("--max-tokens", "3", "--out", dir.resolve("e").toString());
    assertEquals(2, tooShort.code());
    assertTrue(tooShort.err().contains("--max-tokens must be at least 4, got 3"), tooShort.err());

    Outcome notANumber = train("--steps", "many");
    assertEquals(2, notANumber.code());
    assertTrue(notANumber.err().contains("--steps"), notANumber.err());
    assertTrue(Files.notExists(dir.resolve("a")) || Files.notExists(dir.resolve("a/results.json")));
  }
}
