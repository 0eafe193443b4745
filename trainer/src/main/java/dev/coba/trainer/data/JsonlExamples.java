package dev.coba.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Lines formats: one object a line, {@code {"text": ...}},
 * {@code {"prompt": ..., "completion": ...}} or MFTCoder's
 * {@code {"chat_rounds": [{"role": ..., "content": ...}, ...]}}. Other fields are ignored;
 * blank lines are skipped.
 */
public final class JsonlExamples {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonlExamples() {}

  /** A file's examples, and how many of them were cut to the maximum length. */
  public record Read(List<Example> examples, int cut) {}

  /** Every example of {@code file}; a bad line is a {@link DataException} naming {@code file:line}. */
  public static Read read(Path file, int maxLength) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new DataException(file + ": cannot read: " + e.getMessage(), e);
    }
    List<Example> examples = new ArrayList<>();
    int cut = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        Example e = parse(lines.get(i), maxLength);
        // only an example that fills the maximum can have been cut: read it once more uncut to know
        if (e.length() == maxLength
            && parse(lines.get(i), Integer.MAX_VALUE).length() > maxLength) {
          cut++;
        }
        examples.add(e);
      } catch (DataException e) {
        throw new DataException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return new Read(examples, cut);
  }

  /** One line as an example; a {@link DataException} (without location) when it is bad. */
  public static Example parse(String line, int maxLength) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new DataException("bad JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new DataException("expected a JSON object");
    }
    boolean text = node.has("text");
    boolean pair = node.has("prompt") || node.has("completion");
    boolean chat = node.has("chat_rounds");
    if ((text ? 1 : 0) + (pair ? 1 : 0) + (chat ? 1 : 0) != 1) {
      throw new DataException(
          "expected exactly one of {\"text\"}, {\"prompt\", \"completion\"}"
              + " or {\"chat_rounds\"}");
    }
    if (text) {
      return Example.text(string(node, "text"), maxLength);
    }
    if (pair) {
      return Example.promptCompletion(
          string(node, "prompt"), string(node, "completion"), maxLength);
    }
    JsonNode rounds = node.get("chat_rounds");
    if (!rounds.isArray() || rounds.isEmpty()) {
      throw new DataException("\"chat_rounds\" must be a non-empty array");
    }
    List<ChatTurn> turns = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      JsonNode round = rounds.get(i);
      String where = "chat_rounds[" + i + "]";
      if (!round.isObject()) {
        throw new DataException("\"" + where + "\" must be an object");
      }
      String role = string(round, "role", where + ".role");
      try {
        turns.add(
            new ChatTurn(ChatTurn.Role.parse(role), string(round, "content", where + ".content")));
      } catch (IllegalArgumentException e) {
        throw new DataException("\"" + where + ".role\": " + e.getMessage());
      }
    }
    return Example.chat(turns, maxLength);
  }

  /** One line in the prompt/completion format. */
  public static String promptCompletionLine(String prompt, String completion) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("prompt", prompt);
    m.put("completion", completion);
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String string(JsonNode node, String field) {
    return string(node, field, field);
  }

  private static String string(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null) {
      throw new DataException("missing field \"" + path + "\"");
    }
    if (!v.isTextual()) {
      throw new DataException(
          "\""
              + path
              + "\" must be a string, got "
              + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.asText();
  }
}
