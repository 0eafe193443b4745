package dev.coba.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads a folder of tasks: one {@code <task>.jsonl} file per task, split by the ratios of
 * {@link LoadOptions} after a shuffle seeded by the options' seed and the task name; or the
 * three files {@code <task>.train.jsonl}, {@code <task>.valid.jsonl}, {@code <task>.test.jsonl},
 * used as they are. Tasks come back sorted by name.
 */
public final class DatasetLoader {
    static final List<String> SPLITS = List.of("train", "valid", "test");

    private DatasetLoader() {}

    public static List<TaskData> load(Path dir, LoadOptions options) {
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
        files.forEach((name, paths) -> tasks.add(loadTask(dir, name, paths, options)));
        return List.copyOf(tasks);
    }

    private static TaskData loadTask(Path dir, String name, List<Path> paths, LoadOptions o) {
        Path whole = dir.resolve(name + ".jsonl");
        TaskData task;
        if (paths.size() == 1 && paths.get(0).equals(whole)) {
            List<Example> all = new ArrayList<>(nonEmpty(whole, o));
            Collections.shuffle(all, new Random(o.seed() * 31 + name.hashCode()));
            int valid = (int) Math.round(all.size() * o.validRatio());
            int test = (int) Math.round(all.size() * o.testRatio());
            int train = all.size() - valid - test;
            task = new TaskData(name, all.subList(0, train), all.subList(train, train + valid),
                    all.subList(train + valid, all.size()));
            checkBatch(task, whole + "", o.batchSize());
        } else {
            if (paths.contains(whole)) {
                throw new DataException(whole + ": task \"" + name
                        + "\" is given both whole and as split files; keep one or the other");
            }
            List<List<Example>> splits = new ArrayList<>();
            for (String split : SPLITS) {
                Path file = dir.resolve(name + "." + split + ".jsonl");
                if (!paths.contains(file)) {
                    throw new DataException(file + ": missing; task \"" + name
                            + "\" given as split files needs train, valid and test");
                }
                splits.add(nonEmpty(file, o));
            }
            task = new TaskData(name, splits.get(0), splits.get(1), splits.get(2));
            checkBatch(task, dir.resolve(name + ".{train,valid,test}.jsonl") + "", o.batchSize());
        }
        return task;
    }

    private static List<Example> nonEmpty(Path file, LoadOptions o) {
        List<Example> examples = JsonlExamples.read(file, o.maxLength());
        if (examples.isEmpty()) {
            throw new DataException(file + ": empty task (no examples)");
        }
        return examples;
    }

    private static void checkBatch(TaskData task, String where, int batchSize) {
        int[] sizes = {task.train().size(), task.valid().size(), task.test().size()};
        for (int i = 0; i < 3; i++) {
            if (sizes[i] < batchSize) {
                throw new DataException(where + ": task \"" + task.name() + "\" has too little data: "
                        + SPLITS.get(i) + " split has " + sizes[i] + " examples, fewer than one batch of "
                        + batchSize + " (" + task.size() + " examples in all)");
            }
        }
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
