package dev.coba.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltInTasksTest {
  private static final List<TaskData> TASKS = BuiltInTasks.generate(42);

  private static TaskData task(String name) {
    return TASKS.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  private static List<Example> all(TaskData t) {
    List<Example> all = new ArrayList<>(t.train());
    all.addAll(t.valid());
    all.addAll(t.test());
    return all;
  }

  /** The prompt of an example: the bytes between BOS and SEP. */
  private static String prompt(Example e) {
    int[] ids = e.ids();
    int sep = 0;
    while (ids[sep] != ByteVocabulary.SEP) {
      sep++;
    }
    return ByteVocabulary.decode(Arrays.copyOfRange(ids, 1, sep));
  }

  @Test
  void fiveTasksOfDifferentSizesSplit80_10_10() {
    assertEquals(BuiltInTasks.NAMES, TASKS.stream().map(TaskData::name).toList());
    Map<String, Integer> sizes =
        TASKS.stream().collect(Collectors.toMap(TaskData::name, TaskData::size));
    assertEquals(
        Map.of("copy", 2000, "reverse", 1500, "sort", 1500, "add", 3000, "lookup", 80), sizes);
    for (TaskData t : TASKS) {
      assertEquals(t.size() * 8 / 10, t.train().size(), t.name());
      assertEquals(t.size() / 10, t.valid().size(), t.name());
      assertEquals(
          new HashSet<>(all(t).stream().map(BuiltInTasksTest::prompt).toList()).size(),
          t.size(),
          t.name() + ": prompts are distinct");
      assertTrue(all(t).stream().allMatch(e -> e.length() <= 40), t.name());
    }
  }

  @Test
  void deterministicBySeed() {
    assertEquals(TASKS, BuiltInTasks.generate(42));
    List<TaskData> other = BuiltInTasks.generate(43);
    for (int i = 0; i < TASKS.size(); i++) {
      assertNotEquals(TASKS.get(i).train(), other.get(i).train(), TASKS.get(i).name());
    }
    // the lookup table itself is fixed: the seed only shuffles its split
    assertEquals(new HashSet<>(all(task("lookup"))), new HashSet<>(all(other.get(4))));
  }

  @Test
  void answersAreRight() {
    check("copy", p -> p.substring("copy:".length()));
    check("reverse", p -> new StringBuilder(p.substring("reverse:".length())).reverse().toString());
    check(
        "sort",
        p -> {
          char[] c = p.substring("sort:".length()).toCharArray();
          Arrays.sort(c);
          return new String(c);
        });
    check(
        "add",
        p -> {
          String[] ab = p.substring("add:".length()).split("\\+");
          return Integer.toString(Integer.parseInt(ab[0]) + Integer.parseInt(ab[1]));
        });
    List<Example> lookup = all(task("lookup"));
    assertTrue(
        lookup.stream()
            .allMatch(
                e ->
                    prompt(e).matches("lookup:[a-z]{4}")
                        && e.targetText().matches("[1-9][0-9]{2}")));
  }

  private static void check(String name, Function<String, String> answer) {
    for (Example e : all(task(name))) {
      assertEquals(answer.apply(prompt(e)), e.targetText(), name + ": " + prompt(e));
      assertTrue(prompt(e).startsWith(name + ":"));
    }
  }

  @Test
  void writtenFolderLoadsBackToTheSameExamples(@TempDir Path dir) throws IOException {
    BuiltInTasks.writeTo(dir, 42);
    assertTrue(Files.exists(dir.resolve("add.train.jsonl")));
    assertEquals(15, Files.list(dir).count());
    List<TaskData> loaded = DatasetLoader.load(dir, LoadOptions.defaults());
    // the loader sorts tasks by name
    assertEquals(TASKS.stream().sorted((a, b) -> a.name().compareTo(b.name())).toList(), loaded);
  }
}
