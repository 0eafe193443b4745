package dev.coba.trainer.bench;

import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.results.TaskResult;
import dev.coba.trainer.train.StepListener;
import dev.coba.trainer.train.TrainJob;
import dev.coba.trainer.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The methods compared over several seeds on a fixed budget: one {@link TrainJob} per seed in
 * {@code out/seed-<s>/} (resumable like any train run), every method trained for all its steps
 * (no early stopping, so that no method stops sooner because one task overfits), then per method
 * and measure the mean and standard deviation over seeds, and per seed whether the method did
 * better than {@code uniform} on that seed (a paired comparison: same data, same initial model).
 */
public final class QualityBenchmark {
  /** Lower is better, or higher. */
  enum Better {
    LOWER,
    HIGHER
  }

  /**
   * One measure of one method over the seeds: their mean and sample standard deviation, the value
   * of each seed (in seed order), and per seed "better", "worse" or "tie" against uniform's value
   * on the same seed (empty for uniform itself, or when uniform did not run).
   */
  public record Measure(double mean, double sd, List<Double> perSeed, List<String> versusUniform) {
    /** The seeds on which the method did better than uniform. */
    public long wins() {
      return versusUniform.stream().filter("better"::equals).count();
    }
  }

  /**
   * One method over the seeds. {@code taskExactMatch}: each task's exact match, mean over seeds;
   * {@code worstTaskVersusUniform}: the lowest over tasks of that minus uniform's (null without
   * uniform or without exact match).
   */
  public record Row(
      String method,
      Measure testLossRatio,
      Measure exactMatch,
      Measure endAboveBest,
      Measure bestStepSpread,
      double meanSecondsPerStep,
      Map<String, Double> taskExactMatch,
      Double worstTaskVersusUniform) {}

  private final TrainSettings settings;
  private final List<Long> seeds;
  private final Path out;
  private final Function<List<String>, StepListener> listeners;
  private final Consumer<String> notes;

  /** @param settings the runs' settings; early stopping is turned off whatever they say */
  public QualityBenchmark(
      TrainSettings settings,
      List<Long> seeds,
      Path out,
      Function<List<String>, StepListener> listeners,
      Consumer<String> notes) {
    this.settings = settings.withoutEarlyStop();
    this.seeds = List.copyOf(seeds);
    this.out = out;
    this.listeners = listeners;
    this.notes = notes;
  }

  public List<Row> run() throws IOException {
    List<Results> perSeed = new ArrayList<>();
    for (long seed : seeds) {
      perSeed.add(
          new TrainJob(settings.withSeed(seed), out.resolve("seed-" + seed), listeners, notes)
              .run());
    }
    return summarise(settings.methods(), perSeed);
  }

  /** Per method, its measures over the seeds' results (in seed order). */
  static List<Row> summarise(List<String> methods, List<Results> perSeed) {
    List<Row> rows = new ArrayList<>();
    List<String> tasks = perSeed.isEmpty() ? List.of() : perSeed.get(0).taskNames();
    Map<String, Double> uniformTasks =
        methods.contains("uniform") ? taskExactMatch("uniform", tasks, perSeed) : null;
    for (String method : methods) {
      Map<String, Double> taskExact = taskExactMatch(method, tasks, perSeed);
      Double worst = null;
      if (uniformTasks != null && !method.equals("uniform")) {
        for (String task : tasks) {
          if (taskExact.get(task) != null && uniformTasks.get(task) != null) {
            double d = taskExact.get(task) - uniformTasks.get(task);
            worst = worst == null ? d : Math.min(worst, d);
          }
        }
      }
      double seconds =
          perSeed.stream()
              .mapToDouble(r -> r.methods().get(method).secondsPerStep())
              .average()
              .orElse(Double.NaN);
      rows.add(
          new Row(
              method,
              measure(method, perSeed, MethodResult::meanTestLossRatio, Better.LOWER, methods),
              measure(
                  method,
                  perSeed,
                  m -> m.meanExactMatch() == null ? Double.NaN : m.meanExactMatch(),
                  Better.HIGHER,
                  methods),
              measure(method, perSeed, MethodResult::meanEndAboveBest, Better.LOWER, methods),
              measure(method, perSeed, MethodResult::bestStepSpread, Better.LOWER, methods),
              seconds,
              taskExact,
              worst));
    }
    return rows;
  }

  private static Measure measure(
      String method,
      List<Results> perSeed,
      ToDoubleFunction<MethodResult> value,
      Better better,
      List<String> methods) {
    List<Double> values = new ArrayList<>();
    List<String> versus = new ArrayList<>();
    for (Results r : perSeed) {
      double v = value.applyAsDouble(r.methods().get(method));
      values.add(v);
      if (methods.contains("uniform") && !method.equals("uniform")) {
        double u = value.applyAsDouble(r.methods().get("uniform"));
        versus.add(v == u ? "tie" : (v < u) == (better == Better.LOWER) ? "better" : "worse");
      }
    }
    return new Measure(mean(values), sd(values), values, versus);
  }

  /** Each task's exact match under {@code method}, mean over seeds (null for a text task). */
  private static Map<String, Double> taskExactMatch(
      String method, List<String> tasks, List<Results> perSeed) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String task : tasks) {
      List<Double> values = new ArrayList<>();
      for (Results r : perSeed) {
        TaskResult t = r.methods().get(method).tasks().get(task);
        if (t != null && t.exactMatch() != null) {
          values.add(t.exactMatch());
        }
      }
      m.put(task, values.size() == perSeed.size() && !values.isEmpty() ? mean(values) : null);
    }
    return m;
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
