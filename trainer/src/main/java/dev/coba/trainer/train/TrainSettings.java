package dev.coba.trainer.train;

import java.net.URI;
import java.nio.file.Path;
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
            throw new IllegalArgumentException("--d-model (" + dModel + ") must be a multiple of --heads (" + heads + ")");
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
        return new TrainSettings(methods, steps, other, valEvery, evalEvery, patience, earlyStop, batchPerTask,
                valBatchPerTask, evalBatchSize, maxTokens, layers, dModel, heads, learningRate, clip, data, initFrom, sidecar, token);
    }

    /** These settings with every method trained for all {@code steps} (a fixed budget). */
    public TrainSettings withoutEarlyStop() {
        return new TrainSettings(methods, steps, seed, valEvery, evalEvery, patience, false, batchPerTask,
                valBatchPerTask, evalBatchSize, maxTokens, layers, dModel, heads, learningRate, clip, data, initFrom,
                sidecar, token);
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
}
