package dev.coba.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Training batches with every task present: {@code perTask} train examples of each task in turn
 * (task order as given), drawn as a function of the seed and the step, distinct where the split
 * has enough; and mini-batches over a validation or test split, in order.
 */
public final class Batches {
  private final List<TaskData> tasks;
  private final int perTask;
  private final long seed;
  private long next;

  public Batches(List<TaskData> tasks, int perTask, long seed) {
    if (tasks.isEmpty() || perTask < 1) {
      throw new IllegalArgumentException("need at least one task and perTask >= 1");
    }
    this.tasks = List.copyOf(tasks);
    this.perTask = perTask;
    this.seed = seed;
    for (TaskData task : tasks) {
      if (task.train().isEmpty()) {
        throw new IllegalArgumentException("task \"" + task.name() + "\" has no training example");
      }
    }
  }

  /** The batch of the step after the last one drawn with this method (step 0 first). */
  public Batch nextTrain() {
    return trainBatch(next++);
  }

  /**
   * The training batch of {@code step}: rows {@code t*perTask .. (t+1)*perTask-1} are examples of
   * task {@code t}, distinct when its train split has {@code perTask} or more; a smaller split
   * gives every example once and the rest drawn again at random (so that each task keeps its
   * rows and a step its cost). A function of (seed, step) alone, so a run resumed at any step
   * draws exactly the batches an uninterrupted one would.
   */
  public Batch trainBatch(long step) {
    List<Example> rows = new ArrayList<>();
    int[] taskOfRow = new int[tasks.size() * perTask];
    for (int t = 0; t < tasks.size(); t++) {
      List<Example> split = tasks.get(t).train();
      Random random = new Random(mix(seed, step, t));
      if (split.size() >= perTask) {
        distinct(split, perTask, random).forEach(i -> rows.add(split.get(i)));
      } else {
        rows.addAll(split);
        for (int j = split.size(); j < perTask; j++) {
          rows.add(split.get(random.nextInt(split.size())));
        }
      }
      Arrays.fill(taskOfRow, t * perTask, (t + 1) * perTask, t);
    }
    return pad(rows, taskOfRow);
  }

  /**
   * A batch of up to {@code perTask} distinct examples of each split in turn (all of a split
   * smaller than that), a function of ({@code seed}, {@code step}) alone: e.g. the validation
   * mini-batch a balancer is fed at a step.
   */
  public static Batch sample(List<List<Example>> splits, int perTask, long seed, long step) {
    List<Example> rows = new ArrayList<>();
    List<Integer> taskOfRow = new ArrayList<>();
    for (int t = 0; t < splits.size(); t++) {
      List<Example> split = splits.get(t);
      for (int index :
          distinct(split, Math.min(perTask, split.size()), new Random(mix(seed, step, t)))) {
        rows.add(split.get(index));
        taskOfRow.add(t);
      }
    }
    return pad(rows, taskOfRow.stream().mapToInt(Integer::intValue).toArray());
  }

  /** Floyd's sampling: {@code count} distinct indices of {@code split} in O(count), in a deterministic order. */
  private static Set<Integer> distinct(List<Example> split, int count, Random random) {
    Set<Integer> chosen = new LinkedHashSet<>();
    for (int j = split.size() - count; j < split.size(); j++) {
      int pick = random.nextInt(j + 1);
      chosen.add(chosen.contains(pick) ? j : pick);
    }
    return chosen;
  }

  /** A seed per (run seed, step, task); SplitMix64's finaliser spreads neighbouring steps apart. */
  static long mix(long seed, long step, int task) {
    long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + task * 0x94D049BB133111EBL;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
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
