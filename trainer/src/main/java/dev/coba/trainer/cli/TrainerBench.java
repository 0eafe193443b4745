package dev.coba.trainer.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
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
@Command(name = "train", mixinStandardHelpOptions = true,
        subcommands = {TrainerBench.Overhead.class, TrainerBench.Quality.class},
        description = "The reference trainer's benchmarks.")
public final class TrainerBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs {@code bench train} with {@code args}; the exit code (0 done, 2 bad input, 1 failed). */
    public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
        CommandLine cli = new CommandLine(new TrainerBench());
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        cli.setParameterExceptionHandler((e, a) -> {
            stderr.println("bench train: " + e.getMessage());
            return TrainCommand.EXIT_BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            stderr.println("bench train: " + e.getMessage());
            return e instanceof IllegalArgumentException ? TrainCommand.EXIT_BAD_INPUT : TrainCommand.EXIT_FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a benchmark: overhead or quality");
    }

    /** The model, data and schedule flags, as {@code train} has them. */
    static final class Model {
        @Option(names = "--data", paramLabel = "DIR", description = "Task folder (default: the built-in tasks).")
        Path data;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--batch-per-task", defaultValue = "8", description = "Default ${DEFAULT-VALUE}.")
        int batchPerTask;

        @Option(names = "--val-batch-per-task", defaultValue = "8", description = "Default ${DEFAULT-VALUE}.")
        int valBatchPerTask;

        @Option(names = "--layers", defaultValue = "2", description = "Default ${DEFAULT-VALUE}.")
        int layers;

        @Option(names = "--d-model", defaultValue = "64", description = "Default ${DEFAULT-VALUE}.")
        int dModel;

        @Option(names = "--heads", defaultValue = "4", description = "Default ${DEFAULT-VALUE}.")
        int heads;

        @Option(names = "--lr", defaultValue = "0.003", description = "Default ${DEFAULT-VALUE}.")
        float lr;

        @Option(names = "--threads", defaultValue = "1", description = "libtorch's threads (default ${DEFAULT-VALUE}).")
        int threads;

        TrainSettings settings(List<String> methods, long steps, int valEvery, int evalEvery, int patience) {
            Threads.use(threads);
            return new TrainSettings(methods, steps, seed, valEvery, evalEvery, patience, true, batchPerTask,
                    valBatchPerTask, 128, 256, layers, dModel, heads, lr, 1f, data, null, null, null);
        }
    }

    @Command(name = "overhead", mixinStandardHelpOptions = true,
            description = {"Seconds per training step of a balancing method over uniform's (the same model, data and seed; "
                    + "full validation and checkpoints left out), in one process, in rotating blocks.",
                "Prints a table and one JSON line."})
    static final class Overhead implements Callable<Integer> {
        @Mixin
        Model model = new Model();

        @Option(names = "--method", defaultValue = "coba", description = "The method to compare (default ${DEFAULT-VALUE}).")
        String method;

        @Option(names = "--val-every", split = ",", defaultValue = "10,1",
                description = "Reporting intervals to measure (default ${DEFAULT-VALUE}).")
        List<Integer> valEvery;

        @Option(names = "--rounds", defaultValue = "15", description = "Blocks per variant (default ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--block", defaultValue = "20", description = "Steps per block (default ${DEFAULT-VALUE}).")
        int block;

        @Option(names = "--warmup", defaultValue = "30", description = "Untimed steps per variant (default ${DEFAULT-VALUE}).")
        int warmup;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            TrainSettings settings = model.settings(List.of("uniform", method), 1, 1, 1, 1);
            Map<String, StepTimer.Variant> variants = new LinkedHashMap<>();
            variants.put("uniform", new StepTimer.Variant("uniform", 1));
            for (int k : valEvery) {
                if (k < 1) {
                    throw new IllegalArgumentException("--val-every must be at least 1, got " + k);
                }
                variants.put(method + " val-every " + k, new StepTimer.Variant(method, k));
            }
            List<OverheadBenchmark.Row> rows = new OverheadBenchmark(TrainJob.tasks(settings, note -> System.err.println("bench train: " + note)), settings)
                    .run(variants, rounds, block, warmup);
            out.printf(Locale.ROOT, "%-22s %14s %14s %14s %8s%n", "variant", "median s/step", "p25", "p75", "ratio");
            rows.forEach(r -> out.printf(Locale.ROOT, "%-22s %14.5f %14.5f %14.5f %8.3f%n", r.name(), r.medianSeconds(),
                    r.p25Seconds(), r.p75Seconds(), r.ratio()));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("benchmark", "train-overhead");
            line.put("rounds", rounds);
            line.put("block", block);
            line.put("variants", rows);
            out.println(JSON.writeValueAsString(line));
            return 0;
        }
    }

    @Command(name = "quality", mixinStandardHelpOptions = true,
            description = {"Trains every method on the same data for each seed (OUT/seed-<s>/, resumable) and compares the "
                    + "mean test-loss ratio and the spread of the per-task best steps over seeds.",
                "Writes OUT/quality.json; prints a table and one JSON line."})
    static final class Quality implements Callable<Integer> {
        @Mixin
        Model model = new Model();

        @Option(names = "--methods", split = ",", defaultValue = "uniform,coba",
                description = "Default ${DEFAULT-VALUE}.")
        List<String> methods;

        @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Default ${DEFAULT-VALUE}.")
        List<Long> seeds;

        @Option(names = "--steps", defaultValue = "1500", description = "Default ${DEFAULT-VALUE}.")
        long steps;

        @Option(names = "--val-every", defaultValue = "10", description = "Default ${DEFAULT-VALUE}.")
        int valEvery;

        @Option(names = "--eval-every", defaultValue = "50", description = "Default ${DEFAULT-VALUE}.")
        int evalEvery;

        @Option(names = "--out", defaultValue = "coba-quality", description = "Default ${DEFAULT-VALUE}.")
        Path out;

        @Option(names = "--quiet", description = "No progress bar.")
        boolean quiet;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            TrainSettings settings = model.settings(methods, steps, valEvery, evalEvery, 1).withoutEarlyStop(); // patience: unused
            List<QualityBenchmark.Row> rows = new QualityBenchmark(settings, seeds, this.out,
                    names -> quiet ? StepListener.NONE : new ConsoleProgress(names, System.err),
                    note -> System.err.println("bench train: " + note)).run();
            List<String> tasks = List.copyOf(rows.isEmpty() ? List.of() : rows.get(0).taskExactMatch().keySet());
            QualityTable.print(rows, seeds, steps, tasks, out);
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("benchmark", "train-quality");
            line.put("seeds", seeds);
            line.put("settings", settings.describe());
            line.put("methods", QualityBenchmark.byMethod(rows));
            Files.createDirectories(this.out);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(this.out.resolve("quality.json").toFile(), line);
            out.println(JSON.writeValueAsString(line));
            return 0;
        }
    }
}
