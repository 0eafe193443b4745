package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every journal format ever written still loads, to the same runs: the committed fixtures
 * ({@link JournalFixtureWriter} says how each was made) are replayed as they are. A new format
 * version adds its fixture here; none is ever removed or rewritten.
 */
class JournalFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"journal-v1", "journal-v2"})
  void everyFormatEverWrittenLoadsToTheSameRuns(String fixture) throws Exception {
    Files.write(dir.resolve(JournalStore.JOURNAL), resource(fixture + "/journal.log"));
    // read as text: the expected file names tasks as escaped surrogate pairs, too
    JsonNode expected =
        JSON.readTree(new String(resource(fixture + "/expected.json"), StandardCharsets.UTF_8));
    try (RunRegistry registry =
        RunRegistry.open(JournalStore.open(dir), new RegistryLimits(100, 50))) {
      List<String> ids = new ArrayList<>();
      expected.fieldNames().forEachRemaining(ids::add);
      assertEquals(ids, registry.views().stream().map(v -> v.spec().runId()).toList());
      for (RunView run : registry.views()) {
        JsonNode want = expected.get(run.spec().runId());
        assertEquals(want.get("step").asLong(), run.step(), run.spec().runId());
        Map<String, Double> weights = new TreeMap<>();
        want.get("weights")
            .fields()
            .forEachRemaining(e -> weights.put(e.getKey(), e.getValue().doubleValue()));
        assertEquals(weights, new TreeMap<>(run.weights().asMap()), run.spec().runId());
      }
      assertTrue(registry.views().get(0).spec().tasks().contains("\ud83d\ude00"));
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = JournalFixturesTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("no fixture " + name);
      }
      return in.readAllBytes();
    }
  }
}
