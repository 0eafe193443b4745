package dev.coba.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Training batches with every task present: {@code perTask} distinct train examples of each
 * task in turn (task order as given), drawn with one RNG seeded at construction; and
 * mini-batches over a validation or test split, in order.
 */
public final class Batches {
    private final List<TaskData> tasks;
    private final int perTask;
    private final Random random;
    private final int[][] permutations;

    public Batches(List<TaskData> tasks, int perTask, long seed) {
        if (tasks.isEmpty() || perTask < 1) {
            throw new IllegalArgumentException("need at least one task and perTask >= 1");
        }
        this.tasks = List.copyOf(tasks);
        this.perTask = perTask;
        this.random = new Random(seed);
        this.permutations = new int[tasks.size()][];
        for (int t = 0; t < tasks.size(); t++) {
            int n = tasks.get(t).train().size();
            if (n < perTask) {
                throw new DataException("task \"" + tasks.get(t).name() + "\" has " + n
                        + " training examples, fewer than one batch of " + perTask);
            }
            permutations[t] = new int[n];
            Arrays.setAll(permutations[t], i -> i);
        }
    }

    /** The next training batch: rows {@code t*perTask .. (t+1)*perTask-1} belong to task {@code t}. */
    public Batch nextTrain() {
        List<Example> rows = new ArrayList<>(tasks.size() * perTask);
        int[] taskOfRow = new int[tasks.size() * perTask];
        for (int t = 0; t < tasks.size(); t++) {
            int[] p = permutations[t];
            for (int k = 0; k < perTask; k++) {    // partial Fisher-Yates: p[0..perTask) is a uniform sample
                int j = k + random.nextInt(p.length - k);
                int swap = p[k];
                p[k] = p[j];
                p[j] = swap;
                rows.add(tasks.get(t).train().get(p[k]));
                taskOfRow[t * perTask + k] = t;
            }
        }
        return pad(rows, taskOfRow);
    }

    /** {@code split} in order, in batches of {@code batchSize} (the last may be smaller), all rows of task {@code task}. */
    public static List<Batch> miniBatches(List<Example> split, int task, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        List<Batch> batches = new ArrayList<>();
        for (int from = 0; from < split.size(); from += batchSize) {
            List<Example> rows = split.subList(from, Math.min(split.size(), from + batchSize));
            int[] taskOfRow = new int[rows.size()];
            Arrays.fill(taskOfRow, task);
            batches.add(pad(rows, taskOfRow));
        }
        return batches;
    }

    /** The examples as one batch, padded to the longest. */
    public static Batch pad(List<Example> rows, int[] taskOfRow) {
        if (rows.size() != taskOfRow.length) {
            throw new IllegalArgumentException("one task index per row");
        }
        int length = rows.stream().mapToInt(Example::length).max().orElse(0);
        int[][] ids = new int[rows.size()][length];
        boolean[][] mask = new boolean[rows.size()][length];
        for (int r = 0; r < rows.size(); r++) {
            Example e = rows.get(r);
            Arrays.fill(ids[r], ByteVocabulary.PAD);
            for (int i = 0; i < e.length(); i++) {
                ids[r][i] = e.id(i);
                mask[r][i] = e.counts(i);
            }
        }
        return new Batch(ids, mask, taskOfRow.clone());
    }
}
