package dev.coba.trainer.cli;

import dev.coba.core.Methods;
import dev.coba.core.cli.ExitCodes;
import dev.coba.trainer.data.DataException;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.train.ConsoleProgress;
import dev.coba.trainer.train.StepListener;
import dev.coba.trainer.train.StlRun;
import dev.coba.trainer.train.TrainJob;
import dev.coba.trainer.train.TrainSettings;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}'s command line: its flags, parsed into {@link TrainSettings}, and the
 * {@link TrainJob} they run, with a summary on standard output. Every flag has a default, so the
 * bare command trains on the built-in tasks and compares {@code uniform} with {@code coba}. The
 * sidecar's {@code train} subcommand ({@code dev.coba.sidecar.cli.TrainCommand}) loads this class
 * by name from {@code lib/trainer/} and calls {@link #run}.
 */
@Command(
    name = "coba-sidecar train",
    sortOptions = false,
    usageHelpAutoWidth = true,
    header =
        "Trains a small causal LM on several tasks at once, once per balancing method, and compares them.",
    description = {
      "One byte-level decoder-only transformer (DJL, PyTorch on the CPU) learns every task at once, with the "
          + "same data, seed and initial weights for each method. The weights come through the CoBa protocol: "
          + "from this process, or from a running sidecar with --sidecar.",
      "",
      "Data (--data DIR): one JSON Lines file per task, lines {\"prompt\": ..., \"completion\": ...} or "
          + "MFTCoder's {\"chat_rounds\": [...]} (judged by exact match of the greedy-decoded answer), or "
          + "{\"text\": ...} (judged by next-token accuracy). <task>.jsonl is split 80/10/10 by --seed; or "
          + "give <task>.train.jsonl, <task>.valid.jsonl and <task>.test.jsonl. A task needs 3 examples (one "
          + "per split) and a few dozen to learn anything; a split smaller than its batch is used whole or "
          + "drawn again (said once). Examples longer than --max-tokens are cut (counted).",
      "",
      "Output (--out DIR): results.json, report.html with charts/, and per method its best model and last "
          + "checkpoint. The same command on the same --out resumes; other flags there are refused.",
      ""
    },
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success (also when charts could not be drawn: report.html says why)",
      "  1  an internal error (a bug) or the environment failed (disk, libtorch)",
      "  2  bad usage or input: a flag, a data file:line, a --sidecar that does not",
      "     answer or refuses the token; the message names it, and nothing was trained"
    })
public final class TrainCli implements Callable<Integer> {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "The folder of task files (see above). Default: the built-in tasks copy, reverse, sort, "
              + "add and lookup.")
  Path data;

  @Option(
      names = "--methods",
      split = ",",
      paramLabel = "LIST",
      defaultValue = "uniform,coba",
      description =
          "The methods to train and compare, comma-separated: uniform (no balancer: the "
              + "baseline), stl (one model per task), coba, famo, lbtw, dwa, gradnorm, uncertainty, rlw, igbv1, "
              + "igbv2 (GET /v1/methods of a sidecar lists them). Default: ${DEFAULT-VALUE}.")
  List<String> methods;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "1500",
      description = "Training steps per method, at most (default ${DEFAULT-VALUE}).")
  long steps;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description =
          "Seed of the data split, the model's initial weights and the batches (default "
              + "${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "coba-train",
      description = "Where results, report and checkpoints go (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--sidecar",
      paramLabel = "URL",
      description =
          "Balance through the sidecar at URL (e.g. http://127.0.0.1:8470) instead of in this "
              + "process. It must answer before training starts; a report it does not answer later trains on "
              + "the last weights and is counted (fallbackReports).")
  URI sidecar;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:COBA_TOKEN}",
      description = "The sidecar's bearer token (default: $COBA_TOKEN).")
  String token;

  @Option(
      names = "--val-every",
      paramLabel = "K",
      defaultValue = "10",
      description =
          "Report a validation mini-batch to the balancer every K steps; its answer weights the "
              + "next K steps (default ${DEFAULT-VALUE}; 1 is the CoBa paper's setting).")
  int valEvery;

  @Option(
      names = "--eval-every",
      paramLabel = "E",
      defaultValue = "50",
      description =
          "A full validation pass every E steps: it picks the best checkpoint and decides early "
              + "stopping (default ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(
      names = "--patience",
      paramLabel = "P",
      defaultValue = "6",
      description =
          "Stop a method after P full validation passes without a better mean validation-loss "
              + "ratio (default ${DEFAULT-VALUE}).")
  int patience;

  @Option(
      names = "--no-early-stop",
      description =
          "Train every method for all --steps, a fixed budget, to compare how the tasks overfit "
              + "(results.json: endAboveBest), instead of stopping after --patience passes.")
  boolean noEarlyStop;

  @Option(
      names = "--batch-per-task",
      paramLabel = "B",
      defaultValue = "8",
      description =
          "Training examples of each task in a batch; a smaller train split gives all its examples "
              + "and draws the rest again (default ${DEFAULT-VALUE}).")
  int batchPerTask;

  @Option(
      names = "--val-batch-per-task",
      paramLabel = "B",
      defaultValue = "8",
      description =
          "Validation examples of each task in the mini-batch reported to the balancer; a smaller "
              + "validation split is used whole (default ${DEFAULT-VALUE}).")
  int valBatchPerTask;

  @Option(
      names = "--eval-batch",
      paramLabel = "B",
      defaultValue = "128",
      description =
          "Batch size of the full validation and test passes; memory, not results (default "
              + "${DEFAULT-VALUE}).")
  int evalBatch;

  @Option(
      names = "--max-tokens",
      paramLabel = "T",
      defaultValue = "256",
      description =
          "The longest example in tokens (one per UTF-8 byte, plus 2-3 markers); longer ones are cut "
              + "and counted on the console (default ${DEFAULT-VALUE}).")
  int maxTokens;

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
      description = "Width of the model (default ${DEFAULT-VALUE}); a multiple of --heads.")
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
      names = "--clip",
      paramLabel = "C",
      defaultValue = "1.0",
      description =
          "Clip every gradient element to [-C, C] before Adam's update (default ${DEFAULT-VALUE}).")
  float clip;

  @Option(
      names = "--init-from",
      paramLabel = "DIR",
      description =
          "Start from this checkpoint (e.g. OUT/coba/best of an earlier run) instead of random "
              + "weights: the fine-tuning path; nothing is downloaded.")
  Path initFrom;

  @Option(
      names = "--threads",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "libtorch's threads per operation (default ${DEFAULT-VALUE}: steady on a busy machine; 2 "
              + "were 1.45x faster on an idle 2-core machine and 5-50x slower on a busy one).")
  int threads;

  @Option(
      names = "--quiet",
      description =
          "No progress on standard error (a bar on a terminal; otherwise one line "
              + "per full validation pass).")
  boolean quiet;

  private final PrintStream stdout;
  private final PrintStream stderr;

  public TrainCli() {
    this(System.out, System.err);
  }

  public TrainCli(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /** Runs {@code train} with {@code args}; the exit code (0 done, 2 bad input, 1 failed). */
  public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    CommandLine cli = new CommandLine(new TrainCli(stdout, stderr));
    cli.setOut(new java.io.PrintWriter(stdout, true));
    cli.setErr(new java.io.PrintWriter(stderr, true));
    cli.setParameterExceptionHandler(
        (e, a) -> {
          stderr.println("train: " + e.getMessage());
          stderr.println("Run 'coba-sidecar train --help' for usage.");
          return ExitCodes.BAD_INPUT;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    TrainSettings settings;
    try {
      checkMethods();
      settings =
          TrainSettings.builder()
              .methods(methods)
              .steps(steps)
              .seed(seed)
              .valEvery(valEvery)
              .evalEvery(evalEvery)
              .patience(patience)
              .earlyStop(!noEarlyStop)
              .batchPerTask(batchPerTask)
              .valBatchPerTask(valBatchPerTask)
              .evalBatchSize(evalBatch)
              .maxTokens(maxTokens)
              .layers(layers)
              .dModel(dModel)
              .heads(heads)
              .learningRate(lr)
              .clip(clip)
              .data(data)
              .initFrom(initFrom)
              .sidecar(sidecar)
              .token(token == null || token.isBlank() ? null : token)
              .build();
    } catch (IllegalArgumentException e) {
      stderr.println("train: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    try {
      Threads.use(threads);
      TrainJob job =
          new TrainJob(
              settings,
              out,
              names -> quiet ? StepListener.NONE : new ConsoleProgress(names, stderr),
              note -> stderr.println("train: " + note));
      Results results = job.run();
      printSummary(results);
      return ExitCodes.OK;
    } catch (DataException | IllegalArgumentException e) {
      stderr.println("train: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (dev.coba.client.CobaRejectedException e) {
      stderr.println("train: the balancer refused: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    } catch (Exception e) {
      stderr.println("train: failed: " + e);
      return ExitCodes.INTERNAL;
    }
  }

  /** Unknown names fail before any training; with --sidecar the sidecar is asked (SidecarCheck). */
  private void checkMethods() {
    List<String> unknown = new ArrayList<>();
    for (String m : methods) {
      if (m.equals(StlRun.METHOD) || sidecar != null) {
        continue;
      }
      try {
        Methods.get(m);
      } catch (RuntimeException e) {
        unknown.add(m);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> known = new ArrayList<>(List.of(StlRun.METHOD));
      Methods.all().forEach(d -> known.add(d.name()));
      throw new IllegalArgumentException(
          "--methods: unknown " + unknown + "; known: " + String.join(", ", known));
    }
  }

  private void printSummary(Results results) {
    ResultsTable.print(results, stdout);
    stdout.println("results: " + out.resolve(Results.FILE));
    stdout.println("report:  " + out.resolve("report.html"));
  }

  /** For a quick look without the sidecar jar: {@code java -cp ... dev.coba.trainer.cli.TrainCli}. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }
}
