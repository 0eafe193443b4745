package dev.coba.core.coba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code mftcoder} variant reproduces traces recorded from MFTCoder's own
 * {@code CoBaStatus} (see README, "Where the numbers come from"): weights to 1e-9, and the
 * intermediate slopes, RCS, ACS and DF.
 */
class MftCoderTraceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double TOL = 1e-9;

  static Stream<String> traces() {
    return IntStream.rangeClosed(1, 8).mapToObj(i -> String.format("trace-%02d.jsonl", i));
  }

  @ParameterizedTest
  @MethodSource("traces")
  void reproducesMftCoder(String name) throws IOException {
    List<JsonNode> lines = read("/mftcoder-traces/" + name);
    JsonNode header = lines.get(0);
    List<String> tasks = new ArrayList<>();
    header.get("tasks").forEach(t -> tasks.add(t.asText()));
    Map<String, Object> params = JSON.convertValue(header.get("params"), Map.class);
    Balancer coba = Methods.create("coba", tasks, params, doubles(header.get("initialLosses")));
    int withDiagnostics = 0;
    for (JsonNode line : lines.subList(1, lines.size())) {
      long step = line.get("step").asLong();
      Update u = coba.update(Report.of(step, doubles(line.get("valLosses"))));
      String at = name + " step " + step;
      Map<String, Double> expected = doubles(line.get("expectedWeights"));
      for (int i = 0; i < tasks.size(); i++) {
        assertEquals(
            expected.get(tasks.get(i)), u.weights().get(i), TOL, at + " weight of " + tasks.get(i));
      }
      JsonNode d = line.get("expectedDiagnostics");
      if (d != null) {
        withDiagnostics++;
        assertEquals(
            d.get("df").asDouble(),
            u.diagnostics().get("df"),
            1e-9 * Math.max(1, d.get("df").asDouble()),
            at + " df");
        assertEquals(
            d.get("maxRatioSlope").asDouble(),
            u.diagnostics().get("maxRatioSlope"),
            1e-12,
            at + " beta");
        assertEquals(
            d.get("floorApplied").asBoolean() ? 1.0 : 0.0,
            u.diagnostics().get("floorApplied"),
            at + " floor");
        for (String series : List.of("slopes", "rcs", "acs")) {
          Map<String, Double> e = doubles(d.get(series));
          double[] actual = u.taskDiagnostics().get(series);
          for (int i = 0; i < tasks.size(); i++) {
            assertEquals(
                e.get(tasks.get(i)),
                actual[i],
                series.equals("slopes") ? 1e-12 : TOL,
                at + " " + series);
          }
        }
      }
    }
    assertTrue(withDiagnostics > 30, name + " compared only " + withDiagnostics + " computations");
  }

  private static Map<String, Double> doubles(JsonNode node) {
    Map<String, Double> m = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
    return m;
  }

  private static List<JsonNode> read(String resource) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                MftCoderTraceTest.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
      for (String s = r.readLine(); s != null; s = r.readLine()) {
        if (!s.isBlank()) {
          out.add(JSON.readTree(s));
        }
      }
    }
    return out;
  }
}
