package dev.coba.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One in-process run of the command line, with its captured streams. */
public record CliRun(int code, String out, String err) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs {@code args} with {@code stdin} as standard input. */
  public static CliRun run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Standard output as JSON, one node a line. */
  public List<JsonNode> jsonLines() {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (!line.isEmpty()) {
        try {
          nodes.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException("not JSON: " + line, e);
        }
      }
    }
    return nodes;
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
  }
}
