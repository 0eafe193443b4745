package dev.coba.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetLoaderTest {
  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  /** {@code line} ten times: each split of 8/1/1 gets a copy whatever the shuffle. */
  private static String[] tenTimes(String line) {
    String[] lines = new String[10];
    java.util.Arrays.fill(lines, line);
    return lines;
  }

  private static String[] pairs(int n) {
    String[] lines = new String[n];
    for (int i = 0; i < n; i++) {
      lines[i] = "{\"prompt\": \"q" + i + "\", \"completion\": \"a" + i + "\"}";
    }
    return lines;
  }

  private String error(LoadOptions options) {
    return assertThrows(DataException.class, () -> DatasetLoader.load(dir, options)).getMessage();
  }

  private String error() {
    return error(LoadOptions.defaults());
  }

  @Test
  void readsEachFormatAndNamesTasksByFile() throws IOException {
    write("b-text.jsonl", tenTimes("{\"text\": \"hello\"}"));
    write(
        "a-pairs.jsonl",
        tenTimes("{\"prompt\": \"1+1=\", \"completion\": \"2\", \"id\": 7}\n\n  "));
    write(
        "c-chat.jsonl",
        tenTimes(
            "{\"id\": 0, \"data_name\": \"c\", \"chat_rounds\": [{\"role\": \"system\","
                + " \"content\": \"be brief\", \"chat_round_id\": 0},"
                + " {\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}"));
    write("notes.txt", "ignored");
    List<TaskData> tasks = DatasetLoader.load(dir, LoadOptions.defaults());
    assertEquals(
        List.of(8, 1, 1),
        List.of(
            tasks.get(0).train().size(), tasks.get(0).valid().size(), tasks.get(0).test().size()));
    assertEquals(
        List.of("a-pairs", "b-text", "c-chat"), tasks.stream().map(TaskData::name).toList());
    assertEquals(Example.promptCompletion("1+1=", "2", 256), tasks.get(0).train().get(0));
    assertEquals(Example.text("hello", 256), tasks.get(1).train().get(0));
    assertEquals(
        Example.chat(
            List.of(
                new ChatTurn(ChatTurn.Role.SYSTEM, "be brief"),
                new ChatTurn(ChatTurn.Role.HUMAN, "hi"),
                new ChatTurn(ChatTurn.Role.BOT, "yo")),
            256),
        tasks.get(2).train().get(0));
    assertEquals("yo", tasks.get(2).train().get(0).targetText());
  }

  @Test
  void splitsByRatioDeterministicallyBySeed() throws IOException {
    write("t.jsonl", pairs(100));
    TaskData a = DatasetLoader.load(dir, LoadOptions.defaults().withSeed(3)).get(0);
    TaskData b = DatasetLoader.load(dir, LoadOptions.defaults().withSeed(3)).get(0);
    TaskData c = DatasetLoader.load(dir, LoadOptions.defaults().withSeed(4)).get(0);
    assertEquals(List.of(80, 10, 10), List.of(a.train().size(), a.valid().size(), a.test().size()));
    assertEquals(a, b);
    assertNotEquals(a.train(), c.train());
    List<Example> union = new ArrayList<>(a.train());
    union.addAll(a.valid());
    union.addAll(a.test());
    assertEquals(100, new HashSet<>(union).size());
    TaskData d = DatasetLoader.load(dir, LoadOptions.defaults().withRatios(0.5, 0.3)).get(0);
    assertEquals(List.of(50, 30, 20), List.of(d.train().size(), d.valid().size(), d.test().size()));
  }

  @Test
  void usesSeparateSplitFilesAsGiven() throws IOException {
    write("t.train.jsonl", pairs(3));
    write("t.valid.jsonl", "{\"text\": \"v\"}");
    write("t.test.jsonl", "{\"text\": \"x\"}", "{\"text\": \"y\"}");
    TaskData t = DatasetLoader.load(dir, LoadOptions.defaults()).get(0);
    assertEquals("t", t.name());
    assertEquals(Example.promptCompletion("q0", "a0", 256), t.train().get(0));
    assertEquals(List.of(Example.text("v", 256)), t.valid());
    assertEquals(List.of(Example.text("x", 256), Example.text("y", 256)), t.test());
  }

  @Test
  void missingSplitFileOrBothLayoutsAreErrors() throws IOException {
    write("t.train.jsonl", pairs(3));
    write("t.test.jsonl", pairs(3));
    assertEquals(
        dir.resolve("t.valid.jsonl")
            + ": missing; task \"t\" given as split files needs train, valid and test",
        error());
    write("t.valid.jsonl", pairs(3));
    write("t.jsonl", pairs(3));
    assertTrue(
        error()
            .startsWith(
                dir.resolve("t.jsonl") + ": task \"t\" is given both whole and as split files"));
  }

  @Test
  void noJsonlFileOrNoFolder() throws IOException {
    write("readme.txt", "x");
    assertEquals(dir + ": no .jsonl file (expected one <task>.jsonl per task)", error());
    Path missing = dir.resolve("nope");
    assertEquals(
        missing + ": not a directory",
        assertThrows(DataException.class, () -> DatasetLoader.load(missing, LoadOptions.defaults()))
            .getMessage());
  }

  @Test
  void emptyTask() throws IOException {
    write("t.jsonl", "", " ");
    assertEquals(dir.resolve("t.jsonl") + ": empty task (no examples)", error());
  }

  @Test
  void badLinesNameFileAndLine() throws IOException {
    String f = dir.resolve("t.jsonl").toString();
    String ok = "{\"text\": \"fine\"}";
    write("t.jsonl", ok, "", "{\"text\": ");
    assertTrue(error().startsWith(f + ":3: bad JSON: "), error());
    write("t.jsonl", ok, "[1, 2]");
    assertEquals(f + ":2: expected a JSON object", error());
    write("t.jsonl", ok, "{\"prompt\": \"p\"}");
    assertEquals(f + ":2: missing field \"completion\"", error());
    write("t.jsonl", ok, "{\"input\": \"p\"}");
    assertEquals(
        f
            + ":2: expected exactly one of {\"text\"}, {\"prompt\", \"completion\"} or {\"chat_rounds\"}",
        error());
    write("t.jsonl", ok, "{\"text\": 12}");
    assertEquals(f + ":2: \"text\" must be a string, got number", error());
    write("t.jsonl", ok, "{\"prompt\": \"p\", \"completion\": \"\"}");
    assertEquals(f + ":2: \"completion\" is empty", error());
    write("t.jsonl", ok, "{\"chat_rounds\": []}");
    assertEquals(f + ":2: \"chat_rounds\" must be a non-empty array", error());
    write(
        "t.jsonl",
        ok,
        "{\"chat_rounds\": [{\"role\": \"human\", \"content\": \"q\"}, {\"role\": \"robot\", \"content\": \"a\"}]}");
    assertEquals(
        f
            + ":2: \"chat_rounds[1].role\": unknown role \"robot\""
            + " (expected system, human, user, bot or assistant)",
        error());
    write("t.jsonl", ok, "{\"chat_rounds\": [{\"role\": \"bot\", \"content\": null}]}");
    assertEquals(f + ":2: \"chat_rounds[0].content\" must be a string, got null", error());
    write("t.jsonl", ok, "{\"chat_rounds\": [{\"role\": \"human\", \"content\": \"q\"}]}");
    assertEquals(f + ":2: \"chat_rounds\" has no bot or assistant turn", error());
  }

  @Test
  void tooLongLinesAreTruncatedUnlessNoLossTokenIsLeft() throws IOException {
    write("t.jsonl", tenTimes("{\"prompt\": \"0123456789\", \"completion\": \"abcdef\"}"));
    LoadOptions opts = LoadOptions.defaults().withMaxLength(8);
    assertEquals(8, DatasetLoader.load(dir, opts).get(0).train().get(0).length());
    write(
        "t.jsonl",
        "{\"chat_rounds\": [{\"role\": \"human\", \"content\": \"a long question\"},"
            + " {\"role\": \"bot\", \"content\": \"x\"}]}");
    assertEquals(
        dir.resolve("t.jsonl") + ":1: no loss token left within the maximum length 8", error(opts));
  }

  @Test
  void aSmallTaskKeepsAnExampleInEverySplitAndOnlyFewerThanThreeAreRefused() throws IOException {
    write("t.jsonl", pairs(40)); // 32 / 4 / 4: trains whatever the batch sizes (the draws adapt)
    TaskData forty = DatasetLoader.load(dir, LoadOptions.defaults()).get(0);
    assertEquals(
        List.of(32, 4, 4),
        List.of(forty.train().size(), forty.valid().size(), forty.test().size()));
    write("t.jsonl", pairs(4)); // 10 % of 4 rounds to 0: each split still gets one
    TaskData four = DatasetLoader.load(dir, LoadOptions.defaults()).get(0);
    assertEquals(
        List.of(2, 1, 1), List.of(four.train().size(), four.valid().size(), four.test().size()));
    write("t.jsonl", pairs(2));
    assertEquals(
        dir.resolve("t.jsonl")
            + ": task \"t\" has 2 examples; a task in one file needs at least 3 "
            + "(one each for train, valid and test), and a few dozen to learn anything",
        error());
    Files.delete(dir.resolve("t.jsonl"));
    write("u.train.jsonl", pairs(8));
    write("u.valid.jsonl", pairs(1));
    write("u.test.jsonl", pairs(1));
    TaskData given = DatasetLoader.load(dir, LoadOptions.defaults()).get(0);
    assertEquals(
        List.of(8, 1, 1), List.of(given.train().size(), given.valid().size(), given.test().size()));
  }

  @Test
  void examplesCutToTheMaximumLengthAreCountedPerTask() throws IOException {
    write(
        "t.jsonl",
        "{\"prompt\": \"0123456789\", \"completion\": \"abcdef\"}",
        "{\"prompt\": \"01\", \"completion\": \"abc\"}", // BOS 0 1 SEP a b c EOS: 8 tokens, not cut
        "{\"text\": \"123456\"}", // BOS 1..6 EOS: 8, not cut
        "{\"text\": \"1234567\"}"); // 9: cut
    List<String> notes = new ArrayList<>();
    DatasetLoader.load(dir, LoadOptions.defaults().withMaxLength(8), notes::add);
    assertEquals(
        List.of(
            "task \"t\": 2 of 4 examples are longer than --max-tokens 8 and were cut (a text or chat "
                + "keeps its start; a prompt/completion keeps the completion's start and the prompt's end)"),
        notes);
    List<String> none = new ArrayList<>();
    DatasetLoader.load(dir, LoadOptions.defaults(), none::add);
    assertEquals(List.of(), none);
  }
}
