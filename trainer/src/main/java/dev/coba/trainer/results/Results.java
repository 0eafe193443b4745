package dev.coba.trainer.results;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole of {@code results.json}: the settings of the run (flags, model size, data), the task
 * names in order, and one {@link MethodResult} per method in the order they ran.
 */
public record Results(
    Map<String, Object> settings, List<String> taskNames, Map<String, MethodResult> methods) {
  public static final String FILE = "results.json";
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public Results {
    settings = orderedCopy(settings);
    taskNames = List.copyOf(taskNames);
    methods = orderedCopy(methods);
  }

  public void write(Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    MAPPER.writeValue(tmp.toFile(), this);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  public static Results read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), Results.class);
  }

  /** An unmodifiable copy that keeps the insertion order (JSON objects keep theirs). */
  static <V> Map<String, V> orderedCopy(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }
}
