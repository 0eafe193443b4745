package dev.coba.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.coba.core.cli.ExitCodes;
import dev.coba.trainer.bench.OverheadBenchmark;
import dev.coba.trainer.bench.QualityBenchmark;
import dev.coba.trainer.train.ConsoleProgress;
import dev.coba.trainer.train.StepListener;
import dev.coba.trainer.train.StepTimer;
import dev.coba.trainer.train.TrainJob;
import dev.coba.trainer.train.TrainSettings;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bench train overhead|quality}: the trainer's benchmarks, each printing a table and one JSON line. */
@Command(
    name = "coba-sidecar bench train",
    usageHelpAutoWidth = true,
    subcommands = {TrainerBench.Overhead.class, TrainerBench.Quality.class},
    header =
        "The reference trainer's benchmarks: overhead (seconds per step against uniform) and quality "
            + "(the methods over seeds on a fixed budget).",
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  an internal error (a bug) or the environment failed",
      "  2  bad usage or input; the message names the flag"
    })
public final class TrainerBench implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs {@code bench train} with {@code args}; the exit code (0 done, 2 bad input, 1 failed). */
  public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    CommandLine cli = new CommandLine(new TrainerBench());
    cli.setOut(new PrintWriter(stdout, true));
    cli.setErr(new PrintWriter(stderr, true));
    cli.setParameterExceptionHandler(
        (e, a) -> {
          stderr.println("bench train: " + e.getMessage());
          stderr.println(
              "Run '"
                  + e.getCommandLine().getCommandSpec().qualifiedName()
                  + " --help' for usage.");
          return ExitCodes.BAD_INPUT;
        });
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          stderr.println("bench train: " + e.getMessage());
          return e instanceof IllegalArgumentException ? ExitCodes.BAD_INPUT : ExitCodes.INTERNAL;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "give a benchmark: overhead or quality");
  }

  /** The model, data and schedule flags, as {@code train} has them. */
  static final class Model {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "The folder of task files, as train's --data (default: the built-in tasks).")
    Path data;

    @Option(
        names = "--batch-per-task",
        paramLabel = "B",
        defaultValue = "8",
        description = "Training examples of each task in a batch (default ${DEFAULT-VALUE}).")
    int batchPerTask;

    @Option(
        names = "--val-batch-per-task",
        paramLabel = "B",
        defaultValue = "8",
        description =
            "Validation examples of each task reported to the balancer (default ${DEFAULT-VALUE}).")
    int valBatchPerTask;

    @Option(
        names = "--layers",
        paramLabel = "L",
        defaultValue = "2",
        description = "Transformer blocks of the model (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(
        names = "--d-model",
        paramLabel = "D",
        defaultValue = "64",
        description = "Width of the model, a multiple of --heads (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(
        names = "--heads",
        paramLabel = "H",
        defaultValue = "4",
        description = "Attention heads per block (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(
        names = "--lr",
        paramLabel = "RATE",
        defaultValue = "0.003",
        description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(
        names = "--threads",
        paramLabel = "N",
        defaultValue = "1",
        description = "libtorch's threads per operation (default ${DEFAULT-VALUE}).")
    int threads;

    TrainSettings settings(
        List<String> methods, long steps, long seed, int valEvery, int evalEvery, int patience) {
      Threads.use(threads);
      return TrainSettings.builder()
          .methods(methods)
          .steps(steps)
          .seed(seed)
          .valEvery(valEvery)
          .evalEvery(evalEvery)
          .patience(patience)
          .earlyStop(true)
          .batchPerTask(batchPerTask)
          .valBatchPerTask(valBatchPerTask)
          .evalBatchSize(128)
          .maxTokens(256)
          .layers(layers)
          .dModel(dModel)
          .heads(heads)
          .learningRate(lr)
          .clip(1f)
          .data(data)
          .build();
    }
  }

  @Command(
      name = "overhead",
      usageHelpAutoWidth = true,
      sortOptions = false,
      header = "Seconds per training step of a balancing method against uniform's.",
      description = {
        "Each variant trains its own model (same data, seed and size) in one process; they take "
            + "turns in blocks of --block steps, the order rotating every round, so that drift falls on all "
            + "alike. Full validation passes and checkpoints are left out (they cost every method the same). "
            + "Prints a table and one JSON line.",
        ""
      },
      footerHeading = "%nExit codes:%n",
      footer = {
        "  0  success",
        "  1  an internal error (a bug) or the environment failed",
        "  2  bad usage or input; the message names the flag"
      })
  static final class Overhead implements Callable<Integer> {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help and exit.")
    boolean help;

    @Mixin Model model = new Model();

    @Option(
        names = "--seed",
        paramLabel = "S",
        defaultValue = "1",
        description =
            "Seed of the data, the initial weights and the batches (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
        names = "--method",
        paramLabel = "NAME",
        defaultValue = "coba",
        description = "The method timed against uniform (default ${DEFAULT-VALUE}).")
    String method;

    @Option(
        names = "--val-every",
        paramLabel = "LIST",
        split = ",",
        defaultValue = "10,1",
        description =
            "The reporting intervals to time, one variant each (default ${DEFAULT-VALUE}).")
    List<Integer> valEvery;

    @Option(
        names = "--rounds",
        paramLabel = "R",
        defaultValue = "15",
        description =
            "Timed blocks per variant; the median is over them (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(
        names = "--block",
        paramLabel = "N",
        defaultValue = "20",
        description = "Steps per block (default ${DEFAULT-VALUE}).")
    int block;

    @Option(
        names = "--warmup",
        paramLabel = "N",
        defaultValue = "30",
        description = "Untimed steps per variant first (default ${DEFAULT-VALUE}).")
    int warmup;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      TrainSettings settings = model.settings(List.of("uniform", method), 1, seed, 1, 1, 1);
      Map<String, StepTimer.Variant> variants = new LinkedHashMap<>();
      variants.put("uniform", new StepTimer.Variant("uniform", 1));
      for (int k : valEvery) {
        if (k < 1) {
          throw new IllegalArgumentException("--val-every must be at least 1, got " + k);
        }
        variants.put(method + " val-every " + k, new StepTimer.Variant(method, k));
      }
      List<OverheadBenchmark.Row> rows =
          new OverheadBenchmark(
                  TrainJob.tasks(settings, note -> System.err.println("bench train: " + note)),
                  settings)
              .run(variants, rounds, block, warmup);
      out.printf(
          Locale.ROOT,
          "%-22s %14s %14s %14s %8s%n",
          "variant",
          "median s/step",
          "p25",
          "p75",
          "ratio");
      rows.forEach(
          r ->
              out.printf(
                  Locale.ROOT,
                  "%-22s %14.5f %14.5f %14.5f %8.3f%n",
                  r.name(),
                  r.medianSeconds(),
                  r.p25Seconds(),
                  r.p75Seconds(),
                  r.ratio()));
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("benchmark", "train-overhead");
      line.put("rounds", rounds);
      line.put("block", block);
      line.put("variants", rows);
      out.println(JSON.writeValueAsString(line));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "quality",
      usageHelpAutoWidth = true,
      sortOptions = false,
      header = "The methods compared over seeds on a fixed budget.",
      description = {
        "For each seed, trains every method on the same data and initial weights for all --steps "
            + "(no early stopping: no method stops sooner because one task overfits), in OUT/seed-<s>/ (a "
            + "train run each, resumable). Per method and over seeds, mean ± sd of: the mean test-loss ratio "
            + "and the mean exact match at the selected checkpoint, how far the tasks end above their own best "
            + "validation loss, the best-step spread; and on how many seeds it beat uniform on the same seed. "
            + "Writes OUT/quality.json; prints tables and one JSON line.",
        ""
      },
      footerHeading = "%nExit codes:%n",
      footer = {
        "  0  success",
        "  1  an internal error (a bug) or the environment failed",
        "  2  bad usage or input; the message names the flag"
      })
  static final class Quality implements Callable<Integer> {
    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help and exit.")
    boolean help;

    @Mixin Model model = new Model();

    @Option(
        names = "--methods",
        paramLabel = "LIST",
        split = ",",
        defaultValue = "uniform,coba",
        description =
            "The methods to compare, as train's --methods; with uniform, the others are compared "
                + "with it seed by seed (default ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(
        names = "--seeds",
        paramLabel = "LIST",
        split = ",",
        defaultValue = "1,2,3",
        description = "The seeds, one run of every method each (default ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(
        names = "--steps",
        paramLabel = "N",
        defaultValue = "1500",
        description =
            "Training steps of every method, the fixed budget (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(
        names = "--val-every",
        paramLabel = "K",
        defaultValue = "10",
        description = "Report to the balancer every K steps (default ${DEFAULT-VALUE}).")
    int valEvery;

    @Option(
        names = "--eval-every",
        paramLabel = "E",
        defaultValue = "50",
        description = "A full validation pass every E steps (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        defaultValue = "coba-quality",
        description = "Where the runs and quality.json go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quiet", description = "No progress on standard error.")
    boolean quiet;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      TrainSettings settings =
          model
              .settings(methods, steps, seeds.get(0), valEvery, evalEvery, 1)
              .withoutEarlyStop(); // patience: unused
      List<QualityBenchmark.Row> rows =
          new QualityBenchmark(
                  settings,
                  seeds,
                  this.out,
                  names -> quiet ? StepListener.NONE : new ConsoleProgress(names, System.err),
                  note -> System.err.println("bench train: " + note))
              .run();
      List<String> tasks =
          List.copyOf(rows.isEmpty() ? List.of() : rows.get(0).taskExactMatch().keySet());
      QualityTable.print(rows, seeds, steps, tasks, out);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("benchmark", "train-quality");
      line.put("seeds", seeds);
      line.put("settings", settings.describe());
      line.put("methods", QualityBenchmark.byMethod(rows));
      Files.createDirectories(this.out);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(this.out.resolve("quality.json").toFile(), line);
      out.println(JSON.writeValueAsString(line));
      return ExitCodes.OK;
    }
  }
}
