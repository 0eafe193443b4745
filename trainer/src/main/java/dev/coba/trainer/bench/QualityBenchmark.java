package dev.coba.trainer.bench;

import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.train.StepListener;
import dev.coba.trainer.train.TrainJob;
import dev.coba.trainer.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The methods compared over several seeds: one {@link TrainJob} per seed in {@code out/seed-<s>/}
 * (resumable like any train run), then per method the mean and spread over seeds of the mean
 * test-loss ratio at the selected checkpoint and of the per-task best-step spread.
 */
public final class QualityBenchmark {
    /** One method over the seeds; {@code perSeed} in seed order. */
    public record Row(String method, double meanTestLossRatio, double sdTestLossRatio, double meanBestStepSpread,
            double sdBestStepSpread, double meanSecondsPerStep, List<Double> perSeedTestLossRatio,
            List<Double> perSeedBestStepSpread) {}

    private final TrainSettings settings;
    private final List<Long> seeds;
    private final Path out;
    private final Function<List<String>, StepListener> listeners;

    public QualityBenchmark(TrainSettings settings, List<Long> seeds, Path out,
            Function<List<String>, StepListener> listeners) {
        this.settings = settings;
        this.seeds = List.copyOf(seeds);
        this.out = out;
        this.listeners = listeners;
    }

    public List<Row> run() throws IOException {
        List<Results> perSeed = new ArrayList<>();
        for (long seed : seeds) {
            perSeed.add(new TrainJob(settings.withSeed(seed), out.resolve("seed-" + seed), listeners,
                    note -> System.err.println("bench train: " + note)).run());
        }
        List<Row> rows = new ArrayList<>();
        for (String method : settings.methods()) {
            List<Double> ratios = new ArrayList<>();
            List<Double> spreads = new ArrayList<>();
            double seconds = 0;
            for (Results r : perSeed) {
                MethodResult m = r.methods().get(method);
                ratios.add(m.meanTestLossRatio());
                spreads.add(m.bestStepSpread());
                seconds += m.secondsPerStep();
            }
            rows.add(new Row(method, mean(ratios), sd(ratios), mean(spreads), sd(spreads), seconds / perSeed.size(),
                    ratios, spreads));
        }
        return rows;
    }

    /** The rows as one JSON-ready map (method → row), for {@code quality.json}. */
    public static Map<String, Row> byMethod(List<Row> rows) {
        Map<String, Row> m = new LinkedHashMap<>();
        rows.forEach(r -> m.put(r.method(), r));
        return m;
    }

    static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (0 for a single value). */
    static double sd(List<Double> xs) {
        if (xs.size() < 2) {
            return 0;
        }
        double m = mean(xs);
        double ss = xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
        return Math.sqrt(ss / (xs.size() - 1));
    }
}
