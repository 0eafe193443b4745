package dev.coba.trainer.cli;

import dev.coba.core.Methods;
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
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code train}: the reference trainer. Every flag has a default, so the bare command trains on
 * the built-in tasks and compares {@code uniform} with {@code coba}.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a small causal LM on several tasks at once, balancing them through the CoBa protocol "
                + "(in process, or a running sidecar with --sidecar), once per method on the same data and seed.",
                "Writes to --out: results.json, report.html (+ charts/), and per method its best model and checkpoints. "
                        + "Run it again with the same flags and --out to resume."})
public final class TrainCommand implements Callable<Integer> {
    static final int EXIT_BAD_INPUT = 2;
    static final int EXIT_FAILED = 1;

    @Option(names = "--data", paramLabel = "DIR",
            description = "A folder with one JSON Lines file per task ({\"text\"}, {\"prompt\",\"completion\"} or "
                    + "MFTCoder chat_rounds lines; <task>.train/.valid/.test.jsonl for given splits). "
                    + "Default: the built-in tasks copy, reverse, sort, add, lookup.")
    Path data;

    @Option(names = "--methods", split = ",", paramLabel = "LIST", defaultValue = "uniform,coba",
            description = "Methods to run and compare, comma-separated: stl, uniform, coba, and every method of the "
                    + "balancer (see `serve` GET /v1/methods), e.g. famo,lbtw,dwa,gradnorm,uncertainty,rlw,igbv1,igbv2. "
                    + "Default: ${DEFAULT-VALUE}.")
    List<String> methods;

    @Option(names = "--steps", defaultValue = "1500", description = "Training steps per method (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the data, the model and the batches (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "coba-train",
            description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--sidecar", paramLabel = "URL",
            description = "Balance through a running sidecar (e.g. http://127.0.0.1:8470) instead of in process.")
    URI sidecar;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:COBA_TOKEN}",
            description = "Bearer token of the sidecar (default: $COBA_TOKEN).")
    String token;

    @Option(names = "--val-every", paramLabel = "K", defaultValue = "10",
            description = "Report a validation mini-batch to the balancer every K steps (default ${DEFAULT-VALUE}).")
    int valEvery;

    @Option(names = "--eval-every", paramLabel = "E", defaultValue = "50",
            description = "Full validation pass (early stopping, best checkpoint) every E steps (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--patience", defaultValue = "6",
            description = "Stop after this many full validation passes without a better mean ratio (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--no-early-stop", description = "Train every method for all --steps, a fixed budget (to compare how tasks overfit), "
                    + "instead of stopping after --patience passes without a better mean validation ratio.")
    boolean noEarlyStop;

    @Option(names = "--max-tokens", defaultValue = "256", description = "The longest example in tokens (one per UTF-8 byte, plus 2-3 markers); longer lines are cut "
                    + "and counted on the console (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--batch-per-task", defaultValue = "8", description = "Training examples per task in a batch (default ${DEFAULT-VALUE}).")
    int batchPerTask;

    @Option(names = "--val-batch-per-task", defaultValue = "8",
            description = "Validation examples per task in the balancer's mini-batch (default ${DEFAULT-VALUE}).")
    int valBatchPerTask;

    @Option(names = "--eval-batch", defaultValue = "128", description = "Batch size of the full passes (default ${DEFAULT-VALUE}).")
    int evalBatch;

    @Option(names = "--layers", defaultValue = "2", description = "Transformer blocks (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--d-model", defaultValue = "64", description = "Model width (default ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam's learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--clip", defaultValue = "1.0", description = "Clip each gradient element to ±this (default ${DEFAULT-VALUE}).")
    float clip;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = "Start from this model checkpoint (e.g. OUT/coba/best of an earlier run) instead of random weights.")
    Path initFrom;

    @Option(names = "--threads", defaultValue = "1",
            description = "libtorch's threads per operation (default ${DEFAULT-VALUE}: steady on a busy machine; 2 are "
                    + "1.45x faster here on an idle one and 5-50x slower on a busy one).")
    int threads;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    private final PrintStream stdout;
    private final PrintStream stderr;

    public TrainCommand() {
        this(System.out, System.err);
    }

    public TrainCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Runs {@code train} with {@code args}; the exit code (0 done, 2 bad input, 1 failed). */
    public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        CommandLine cli = new CommandLine(new TrainCommand(stdout, stderr));
        cli.setOut(new java.io.PrintWriter(stdout, true));
        cli.setErr(new java.io.PrintWriter(stderr, true));
        cli.setParameterExceptionHandler((e, a) -> {
            stderr.println("train: " + e.getMessage());
            stderr.println("Try 'train --help'.");
            return EXIT_BAD_INPUT;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        TrainSettings settings;
        try {
            checkMethods();
            settings = new TrainSettings(methods, steps, seed, valEvery, evalEvery, patience, !noEarlyStop,
                    batchPerTask, valBatchPerTask, evalBatch, maxTokens, layers, dModel, heads, lr, clip, data, initFrom, sidecar,
                    token == null || token.isBlank() ? null : token);
        } catch (IllegalArgumentException e) {
            stderr.println("train: " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        try {
            Threads.use(threads);
            TrainJob job = new TrainJob(settings, out,
                    names -> quiet ? StepListener.NONE : new ConsoleProgress(names, stderr),
                    note -> stderr.println("train: " + note));
            Results results = job.run();
            printSummary(results);
            return 0;
        } catch (DataException | IllegalArgumentException e) {
            stderr.println("train: " + e.getMessage());
            return EXIT_BAD_INPUT;
        } catch (dev.coba.client.CobaRejectedException e) {
            stderr.println("train: the balancer refused: " + e.getMessage());
            return EXIT_BAD_INPUT;
        } catch (Exception e) {
            stderr.println("train: failed: " + e);
            return EXIT_FAILED;
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
            throw new IllegalArgumentException("--methods: unknown " + unknown + "; known: " + String.join(", ", known));
        }
    }

    private void printSummary(Results results) {
        ResultsTable.print(results, stdout);
        stdout.println("results: " + out.resolve(Results.FILE));
        stdout.println("report:  " + out.resolve("report.html"));
    }

    /** For a quick look without the sidecar jar: {@code java -cp ... dev.coba.trainer.cli.TrainCommand}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

}
