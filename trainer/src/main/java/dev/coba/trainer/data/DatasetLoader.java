package dev.coba.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Reads a folder of tasks: one {@code <task>.jsonl} file per task, split by the ratios of
 * {@link LoadOptions} after a shuffle seeded by the options' seed and the task name; or the
 * three files {@code <task>.train.jsonl}, {@code <task>.valid.jsonl}, {@code <task>.test.jsonl},
 * used as they are. Tasks come back sorted by name.
 *
 * <p>Every split needs one example at least; how many a batch or a validation draw takes adapts
 * to what a split has ({@link dev.coba.trainer.data.Batches}), so a one-file task needs 3
 * examples (it keeps one each for validation and test even where 10 % rounds to 0).
 */
public final class DatasetLoader {
  static final List<String> SPLITS = List.of("train", "valid", "test");

  /** One example each for train, validation and test. */
  static final int MIN_EXAMPLES = 3;

  private DatasetLoader() {}

  /** The tasks of {@code dir}; what the caller should be told (examples cut) is left out. */
  public static List<TaskData> load(Path dir, LoadOptions options) {
    return load(dir, options, note -> {});
  }

  /**
   * The tasks of {@code dir}; {@code notes} is told, once per task, how many examples were cut
   * to the maximum length.
   */
  public static List<TaskData> load(Path dir, LoadOptions options, Consumer<String> notes) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(dir + ": not a directory");
    }
    TreeMap<String, List<Path>> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jsonl"))
          .sorted()
          .forEach(p -> files.computeIfAbsent(taskName(p), k -> new ArrayList<>()).add(p));
    } catch (IOException e) {
      throw new DataException(dir + ": cannot list: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new DataException(dir + ": no .jsonl file (expected one <task>.jsonl per task)");
    }
    List<TaskData> tasks = new ArrayList<>();
    files.forEach((name, paths) -> tasks.add(loadTask(dir, name, paths, options, notes)));
    return List.copyOf(tasks);
  }

  private static TaskData loadTask(
      Path dir, String name, List<Path> paths, LoadOptions o, Consumer<String> notes) {
    Path whole = dir.resolve(name + ".jsonl");
    int[] cut = {0};
    TaskData task;
    if (paths.size() == 1 && paths.get(0).equals(whole)) {
      List<Example> all = new ArrayList<>(nonEmpty(whole, o, cut));
      if (all.size() < MIN_EXAMPLES) {
        throw new DataException(
            whole
                + ": task \""
                + name
                + "\" has "
                + all.size()
                + " example"
                + (all.size() == 1 ? "" : "s")
                + "; a task in one file needs at least "
                + MIN_EXAMPLES
                + " (one each for train, valid and test), and a few dozen to learn anything");
      }
      Collections.shuffle(all, new Random(o.seed() * 31 + name.hashCode()));
      int valid = Math.max(1, (int) Math.round(all.size() * o.validRatio()));
      int test = Math.max(1, (int) Math.round(all.size() * o.testRatio()));
      int train = all.size() - valid - test;
      task =
          new TaskData(
              name,
              all.subList(0, train),
              all.subList(train, train + valid),
              all.subList(train + valid, all.size()));
    } else {
      if (paths.contains(whole)) {
        throw new DataException(
            whole
                + ": task \""
                + name
                + "\" is given both whole and as split files; keep one or the other");
      }
      List<List<Example>> splits = new ArrayList<>();
      for (String split : SPLITS) {
        Path file = dir.resolve(name + "." + split + ".jsonl");
        if (!paths.contains(file)) {
          throw new DataException(
              file
                  + ": missing; task \""
                  + name
                  + "\" given as split files needs train, valid and test");
        }
        splits.add(nonEmpty(file, o, cut));
      }
      task = new TaskData(name, splits.get(0), splits.get(1), splits.get(2));
    }
    if (cut[0] > 0) {
      notes.accept(
          "task \""
              + name
              + "\": "
              + cut[0]
              + " of "
              + task.size()
              + " examples are longer than "
              + "--max-tokens "
              + o.maxLength()
              + " and were cut (a text or chat keeps its start; a "
              + "prompt/completion keeps the completion's start and the prompt's end)");
    }
    return task;
  }

  private static List<Example> nonEmpty(Path file, LoadOptions o, int[] cut) {
    JsonlExamples.Read read = JsonlExamples.read(file, o.maxLength());
    if (read.examples().isEmpty()) {
      throw new DataException(file + ": empty task (no examples)");
    }
    cut[0] += read.cut();
    return read.examples();
  }

  /** {@code a.jsonl} and {@code a.train.jsonl} both belong to task {@code a}. */
  private static String taskName(Path file) {
    String n = file.getFileName().toString();
    n = n.substring(0, n.length() - ".jsonl".length());
    for (String split : SPLITS) {
      if (n.endsWith("." + split) && n.length() > split.length() + 1) {
        return n.substring(0, n.length() - split.length() - 1);
      }
    }
    return n;
  }
}
