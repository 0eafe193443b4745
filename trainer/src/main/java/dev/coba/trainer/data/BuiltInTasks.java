package dev.coba.trainer.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The default data: five generated prompt/completion tasks of clearly different difficulty
 * and size (hare and tortoise), deterministic by seed. Every task's examples are distinct
 * prompts, split 80/10/10. Sequences are at most 40 tokens.
 * <ul>
 * <li>{@code copy} (easy, 2000): {@code copy:kqzfa} → {@code kqzfa}, 3–10 letters;
 * <li>{@code reverse} (medium, 1500): {@code reverse:kqzfa} → {@code afzqk}, 3–10 letters;
 * <li>{@code sort} (medium-hard, 1500): {@code sort:93817} → {@code 13789}, 4–10 digits;
 * <li>{@code add} (hard, 3000): {@code add:4821+937} → {@code 5758}, 1–4 digit numbers;
 * <li>{@code lookup} (small, 80): a fixed table of 80 random keys to random values,
 *     {@code lookup:qzke} → {@code 417}; the same table for every seed (the seed shuffles its
 *     split). Held-out keys cannot be inferred, so it learns the format fast, then overfits.
 * </ul>
 */
public final class BuiltInTasks {
  /** The task names, in the order {@link #generate} returns them. */
  public static final List<String> NAMES = List.of("copy", "reverse", "sort", "add", "lookup");

  private static final long LOOKUP_TABLE_SEED = 20241105L;

  private BuiltInTasks() {}

  /** The tasks as split examples. */
  public static List<TaskData> generate(long seed) {
    List<TaskData> tasks = new ArrayList<>();
    pairs(seed)
        .forEach(
            (name, split) ->
                tasks.add(
                    new TaskData(
                        name,
                        toExamples(split.get(0)),
                        toExamples(split.get(1)),
                        toExamples(split.get(2)))));
    return List.copyOf(tasks);
  }

  /**
   * Writes the tasks to {@code dir} (created if missing) as {@code <task>.train.jsonl},
   * {@code <task>.valid.jsonl}, {@code <task>.test.jsonl}; {@link DatasetLoader} reads them
   * back into the same examples.
   */
  public static void writeTo(Path dir, long seed) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, List<List<String[]>>> task : pairs(seed).entrySet()) {
      for (int s = 0; s < 3; s++) {
        StringBuilder out = new StringBuilder();
        for (String[] pc : task.getValue().get(s)) {
          out.append(JsonlExamples.promptCompletionLine(pc[0], pc[1])).append('\n');
        }
        Path file = dir.resolve(task.getKey() + "." + DatasetLoader.SPLITS.get(s) + ".jsonl");
        Files.writeString(file, out, StandardCharsets.UTF_8);
      }
    }
  }

  /** Task name → [train, valid, test], each a list of {prompt, completion}. */
  private static Map<String, List<List<String[]>>> pairs(long seed) {
    Map<String, List<List<String[]>>> tasks = new LinkedHashMap<>();
    tasks.put(
        "copy",
        split(
            unique(
                2000,
                new Random(seed * 7 + 1),
                r -> {
                  String s = letters(r, 3, 10);
                  return new String[] {"copy:" + s, s};
                })));
    tasks.put(
        "reverse",
        split(
            unique(
                1500,
                new Random(seed * 7 + 2),
                r -> {
                  String s = letters(r, 3, 10);
                  return new String[] {"reverse:" + s, new StringBuilder(s).reverse().toString()};
                })));
    tasks.put(
        "sort",
        split(
            unique(
                1500,
                new Random(seed * 7 + 3),
                r -> {
                  char[] digits = new char[4 + r.nextInt(7)];
                  for (int i = 0; i < digits.length; i++) {
                    digits[i] = (char) ('0' + r.nextInt(10));
                  }
                  String s = new String(digits);
                  Arrays.sort(digits);
                  return new String[] {"sort:" + s, new String(digits)};
                })));
    tasks.put(
        "add",
        split(
            unique(
                3000,
                new Random(seed * 7 + 4),
                r -> {
                  int a = number(r);
                  int b = number(r);
                  return new String[] {"add:" + a + "+" + b, Integer.toString(a + b)};
                })));
    List<String[]> table =
        unique(
            80,
            new Random(LOOKUP_TABLE_SEED),
            r ->
                new String[] {
                  "lookup:" + letters(r, 4, 4), Integer.toString(100 + r.nextInt(900))
                });
    Collections.shuffle(table, new Random(seed * 7 + 5));
    tasks.put("lookup", split(table));
    return tasks;
  }

  /** {@code n} examples with distinct prompts. */
  private static List<String[]> unique(int n, Random r, Function<Random, String[]> make) {
    Map<String, String[]> byPrompt = new LinkedHashMap<>();
    while (byPrompt.size() < n) {
      String[] pc = make.apply(r);
      byPrompt.putIfAbsent(pc[0], pc);
    }
    return new ArrayList<>(byPrompt.values());
  }

  private static List<List<String[]>> split(List<String[]> all) {
    int train = all.size() * 8 / 10;
    int valid = all.size() / 10;
    return List.of(
        all.subList(0, train),
        all.subList(train, train + valid),
        all.subList(train + valid, all.size()));
  }

  private static List<Example> toExamples(List<String[]> pairs) {
    return pairs.stream()
        .map(pc -> Example.promptCompletion(pc[0], pc[1], LoadOptions.DEFAULT_MAX_LENGTH))
        .toList();
  }

  private static String letters(Random r, int min, int max) {
    char[] c = new char[min + r.nextInt(max - min + 1)];
    for (int i = 0; i < c.length; i++) {
      c[i] = (char) ('a' + r.nextInt(26));
    }
    return new String(c);
  }

  /** A number of 1 to 4 digits, each length equally likely. */
  private static int number(Random r) {
    int digits = 1 + r.nextInt(4);
    int low = digits == 1 ? 0 : (int) Math.pow(10, digits - 1);
    return low + r.nextInt((int) Math.pow(10, digits) - low);
  }
}
