package dev.coba.trainer.train;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@code train} run depends on. {@code data} null means the built-in tasks, and
 * {@code maxTokens} the longest example read from it (longer ones are cut);
 * {@code initFrom} a checkpoint to start from instead of random weights (fine-tuning);
 * {@code sidecar} null means balancing in process. Steps count optimisation steps; the balancer
 * gets a report every {@code valEvery} steps (a validation mini-batch of {@code valBatchPerTask}
 * examples per task), and every {@code evalEvery} steps a full validation pass decides early
 * stopping ({@code patience} passes without a better mean ratio; none without
 * {@code earlyStop}: every method then trains for all {@code steps}) and the best checkpoint.
 *
 * <p>Build one with {@link #builder()}, where every value is named; a copy with one value changed
 * is {@code settings.toBuilder().seed(2).build()}. The checks are the canonical constructor's,
 * whichever way the settings are made.
 */
public record TrainSettings(
    List<String> methods,
    long steps,
    long seed,
    int valEvery,
    int evalEvery,
    int patience,
    boolean earlyStop,
    int batchPerTask,
    int valBatchPerTask,
    int evalBatchSize,
    int maxTokens,
    int layers,
    int dModel,
    int heads,
    float learningRate,
    float clip,
    Path data,
    Path initFrom,
    URI sidecar,
    String token) {

  public TrainSettings {
    methods = List.copyOf(methods);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("--methods: give at least one method");
    }
    if (methods.stream().distinct().count() != methods.size()) {
      throw new IllegalArgumentException("--methods: a method is listed twice: " + methods);
    }
    positive("--steps", steps);
    positive("--val-every", valEvery);
    positive("--eval-every", evalEvery);
    positive("--patience", patience);
    positive("--batch-per-task", batchPerTask);
    positive("--val-batch-per-task", valBatchPerTask);
    positive("--eval-batch", evalBatchSize);
    if (maxTokens < 4) {
      throw new IllegalArgumentException("--max-tokens must be at least 4, got " + maxTokens);
    }
    positive("--layers", layers);
    positive("--d-model", dModel);
    positive("--heads", heads);
    if (dModel % heads != 0) {
      throw new IllegalArgumentException(
          "--d-model (" + dModel + ") must be a multiple of --heads (" + heads + ")");
    }
    if (!(learningRate > 0) || !(learningRate < 1)) {
      throw new IllegalArgumentException("--lr must be in (0, 1), got " + learningRate);
    }
    if (!(clip > 0)) {
      throw new IllegalArgumentException("--clip must be positive, got " + clip);
    }
  }

  private static void positive(String flag, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(flag + " must be at least 1, got " + value);
    }
  }

  /** These settings with another seed (of the data, the model and the batches). */
  public TrainSettings withSeed(long other) {
    return toBuilder().seed(other).build();
  }

  /** These settings with every method trained for all {@code steps} (a fixed budget). */
  public TrainSettings withoutEarlyStop() {
    return toBuilder().earlyStop(false).build();
  }

  /** New settings: every value but the four optional ones ({@link Builder}) must be given. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder()
        .methods(methods)
        .steps(steps)
        .seed(seed)
        .valEvery(valEvery)
        .evalEvery(evalEvery)
        .patience(patience)
        .earlyStop(earlyStop)
        .batchPerTask(batchPerTask)
        .valBatchPerTask(valBatchPerTask)
        .evalBatchSize(evalBatchSize)
        .maxTokens(maxTokens)
        .layers(layers)
        .dModel(dModel)
        .heads(heads)
        .learningRate(learningRate)
        .clip(clip)
        .data(data)
        .initFrom(initFrom)
        .sidecar(sidecar)
        .token(token);
  }

  /** The settings as recorded in results.json (the token left out). */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("methods", methods);
    m.put("steps", steps);
    m.put("seed", seed);
    m.put("valEvery", valEvery);
    m.put("evalEvery", evalEvery);
    m.put("patience", earlyStop ? patience : null); // nothing stops early without it
    m.put("earlyStop", earlyStop);
    m.put("batchPerTask", batchPerTask);
    m.put("valBatchPerTask", valBatchPerTask);
    m.put("evalBatchSize", evalBatchSize);
    m.put("maxTokens", maxTokens);
    m.put("layers", layers);
    m.put("dModel", dModel);
    m.put("heads", heads);
    // as typed: 0.003, not the float's 0.0030000000260770321
    m.put("learningRate", Double.parseDouble(Float.toString(learningRate)));
    m.put("clip", Double.parseDouble(Float.toString(clip)));
    m.put("data", data == null ? "built-in" : data.toString());
    m.put("initFrom", initFrom == null ? null : initFrom.toString());
    m.put("balancer", sidecar == null ? "in-process" : sidecar.toString());
    return m;
  }

  /**
   * {@link TrainSettings} one named value at a time. {@code data}, {@code initFrom},
   * {@code sidecar} and {@code token} may be left out (null: the built-in tasks, random initial
   * weights, balancing in process, no token); {@link #build()} names any other value not given,
   * and the constructor refuses a given one out of range, naming its flag.
   */
  public static final class Builder {
    private List<String> methods;
    private Long steps;
    private Long seed;
    private Integer valEvery;
    private Integer evalEvery;
    private Integer patience;
    private Boolean earlyStop;
    private Integer batchPerTask;
    private Integer valBatchPerTask;
    private Integer evalBatchSize;
    private Integer maxTokens;
    private Integer layers;
    private Integer dModel;
    private Integer heads;
    private Float learningRate;
    private Float clip;
    private Path data;
    private Path initFrom;
    private URI sidecar;
    private String token;

    private Builder() {}

    /** The methods to train, in order: {@code --methods}. */
    public Builder methods(List<String> value) {
      methods = value;
      return this;
    }

    /** {@code --steps}. */
    public Builder steps(long value) {
      steps = value;
      return this;
    }

    /** {@code --seed}. */
    public Builder seed(long value) {
      seed = value;
      return this;
    }

    /** {@code --val-every}. */
    public Builder valEvery(int value) {
      valEvery = value;
      return this;
    }

    /** {@code --eval-every}. */
    public Builder evalEvery(int value) {
      evalEvery = value;
      return this;
    }

    /** {@code --patience}. */
    public Builder patience(int value) {
      patience = value;
      return this;
    }

    /** False for {@code --no-early-stop}. */
    public Builder earlyStop(boolean value) {
      earlyStop = value;
      return this;
    }

    /** {@code --batch-per-task}. */
    public Builder batchPerTask(int value) {
      batchPerTask = value;
      return this;
    }

    /** {@code --val-batch-per-task}. */
    public Builder valBatchPerTask(int value) {
      valBatchPerTask = value;
      return this;
    }

    /** {@code --eval-batch}. */
    public Builder evalBatchSize(int value) {
      evalBatchSize = value;
      return this;
    }

    /** {@code --max-tokens}. */
    public Builder maxTokens(int value) {
      maxTokens = value;
      return this;
    }

    /** {@code --layers}. */
    public Builder layers(int value) {
      layers = value;
      return this;
    }

    /** {@code --d-model}. */
    public Builder dModel(int value) {
      dModel = value;
      return this;
    }

    /** {@code --heads}. */
    public Builder heads(int value) {
      heads = value;
      return this;
    }

    /** {@code --lr}. */
    public Builder learningRate(float value) {
      learningRate = value;
      return this;
    }

    /** {@code --clip}. */
    public Builder clip(float value) {
      clip = value;
      return this;
    }

    /** {@code --data}; null (the default) for the built-in tasks. */
    public Builder data(Path value) {
      data = value;
      return this;
    }

    /** {@code --init-from}; null (the default) for random initial weights. */
    public Builder initFrom(Path value) {
      initFrom = value;
      return this;
    }

    /** {@code --sidecar}; null (the default) to balance in process. */
    public Builder sidecar(URI value) {
      sidecar = value;
      return this;
    }

    /** {@code --token}; null (the default) for none. */
    public Builder token(String value) {
      token = value;
      return this;
    }

    /**
     * The settings; an {@link IllegalStateException} naming the values not given (a bug of the
     * caller), an {@link IllegalArgumentException} naming the flag of one out of range.
     */
    public TrainSettings build() {
      List<String> missing = new ArrayList<>();
      Map<String, Object> required = new LinkedHashMap<>();
      required.put("methods", methods);
      required.put("steps", steps);
      required.put("seed", seed);
      required.put("valEvery", valEvery);
      required.put("evalEvery", evalEvery);
      required.put("patience", patience);
      required.put("earlyStop", earlyStop);
      required.put("batchPerTask", batchPerTask);
      required.put("valBatchPerTask", valBatchPerTask);
      required.put("evalBatchSize", evalBatchSize);
      required.put("maxTokens", maxTokens);
      required.put("layers", layers);
      required.put("dModel", dModel);
      required.put("heads", heads);
      required.put("learningRate", learningRate);
      required.put("clip", clip);
      required.forEach(
          (name, value) -> {
            if (value == null) {
              missing.add(name);
            }
          });
      if (!missing.isEmpty()) {
        throw new IllegalStateException("TrainSettings: not given: " + String.join(", ", missing));
      }
      return new TrainSettings(
          methods,
          steps,
          seed,
          valEvery,
          evalEvery,
          patience,
          earlyStop,
          batchPerTask,
          valBatchPerTask,
          evalBatchSize,
          maxTokens,
          layers,
          dModel,
          heads,
          learningRate,
          clip,
          data,
          initFrom,
          sidecar,
          token);
    }
  }
}
