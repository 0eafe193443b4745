package dev.coba.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.BalancerState;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The JSON bodies of protocol v1 the client reads and writes (see openapi.yaml), in one place. */
final class WireJson {
  static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> OBJECT_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, Double>> DOUBLE_MAP = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};

  private WireJson() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  static JsonNode read(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new CobaException("not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code RunCreate}. */
  static Map<String, Object> runCreate(RunDefinition d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runId", d.runId());
    m.put("tasks", d.tasks());
    m.put("method", d.method());
    m.put("params", d.params());
    m.put("worldSize", d.worldSize());
    if (!d.initialLosses().isEmpty()) {
      m.put("initialLosses", d.initialLosses());
    }
    return m;
  }

  /** {@code StepReport}. */
  static Map<String, Object> stepReport(StepReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", r.step());
    m.put("rank", r.rank());
    putIfAny(m, "valLosses", r.valLosses());
    putIfAny(m, "trainLosses", r.trainLosses());
    putIfAny(m, "gradNorms", r.gradNorms());
    putIfAny(m, "counts", r.counts());
    putIfAny(m, "weightsUsed", r.weightsUsed());
    return m;
  }

  private static void putIfAny(Map<String, Object> m, String key, Map<String, Double> values) {
    if (!values.isEmpty()) {
      m.put(key, values);
    }
  }

  /** {@code StepWeights} (or the weights of a {@code Run}). */
  static Weights weights(JsonNode n) {
    JsonNode step = n.get("step");
    return new Weights(MAPPER.convertValue(n.get("weights"), DOUBLE_MAP), Objective.fromWire(n.get("objective").asText()),
        step == null || step.isNull() ? null : step.asLong(), false);
  }

  /** {@code Run}. */
  static RunInfo runInfo(JsonNode n) {
    return new RunInfo(n.get("runId").asText(), MAPPER.convertValue(n.get("tasks"), STRING_LIST),
        n.get("method").asText(), MAPPER.convertValue(n.get("params"), OBJECT_MAP), n.get("worldSize").asInt(),
        n.get("step") == null || n.get("step").isNull() ? null : n.get("step").asLong(), weights(n));
  }

  /** {@code Error} as an exception. */
  static CobaRejectedException rejected(int status, String body) {
    try {
      JsonNode n = MAPPER.readTree(body);
      JsonNode field = n.get("field");
      JsonNode error = n.get("error");
      return new CobaRejectedException(status, field == null || field.isNull() ? null : field.asText(),
          error == null ? body : error.asText());
    } catch (JsonProcessingException | RuntimeException e) {
      return new CobaRejectedException(status, null, body.isEmpty() ? "HTTP " + status : body);
    }
  }

  // ------------------------------------------------------------ RunState, for the in-process client

  static String stateJson(RunState s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", s.version());
    RunSpec spec = s.run();
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("runId", spec.runId());
    run.put("tasks", spec.tasks());
    run.put("method", spec.method());
    run.put("params", spec.params());
    run.put("worldSize", spec.worldSize());
    run.put("initialLosses", spec.initialLosses());
    m.put("run", run);
    BalancerState b = s.base();
    if (b == null) {
      m.put("base", null);
    } else {
      Map<String, Object> base = new LinkedHashMap<>();
      base.put("version", b.version());
      base.put("method", b.method());
      base.put("tasks", b.tasks());
      base.put("params", b.params());
      base.put("initialLosses", b.initialLosses());
      base.put("data", b.data());
      m.put("base", base);
    }
    List<Map<String, Object>> reports = new ArrayList<>();
    for (RankReport r : s.reports()) {
      Map<String, Object> rm = new LinkedHashMap<>();
      rm.put("step", r.step());
      rm.put("rank", r.rank());
      putIfAny(rm, "valLosses", r.valLosses());
      putIfAny(rm, "trainLosses", r.trainLosses());
      putIfAny(rm, "gradNorms", r.gradNorms());
      putIfAny(rm, "counts", r.counts());
      putIfAny(rm, "weightsUsed", r.weightsUsed());
      reports.add(rm);
    }
    m.put("reports", reports);
    return write(m);
  }

  static RunState state(String json, @Nullable String runIdIfMissing) {
    JsonNode n = read(json);
    JsonNode run = require(n, "run");
    RunSpec spec = new RunSpec(
        run.hasNonNull("runId") ? run.get("runId").asText() : String.valueOf(runIdIfMissing),
        MAPPER.convertValue(require(run, "tasks"), STRING_LIST), require(run, "method").asText(),
        run.hasNonNull("params") ? MAPPER.convertValue(run.get("params"), OBJECT_MAP) : Map.of(),
        run.hasNonNull("worldSize") ? run.get("worldSize").asInt() : 1,
        run.hasNonNull("initialLosses") ? MAPPER.convertValue(run.get("initialLosses"), DOUBLE_MAP) : Map.of());
    BalancerState base = null;
    JsonNode b = n.get("base");
    if (b != null && !b.isNull()) {
      base = new BalancerState(require(b, "version").asInt(), require(b, "method").asText(),
          MAPPER.convertValue(require(b, "tasks"), STRING_LIST), MAPPER.convertValue(require(b, "params"), OBJECT_MAP),
          b.hasNonNull("initialLosses") ? MAPPER.convertValue(b.get("initialLosses"), DOUBLE_MAP) : Map.of(),
          MAPPER.convertValue(require(b, "data"), OBJECT_MAP));
    }
    List<RankReport> reports = new ArrayList<>();
    for (JsonNode r : require(n, "reports")) {
      reports.add(new RankReport(require(r, "step").asLong(), r.hasNonNull("rank") ? r.get("rank").asInt() : 0,
          doubles(r, "valLosses"), doubles(r, "trainLosses"), doubles(r, "gradNorms"), doubles(r, "counts"),
          doubles(r, "weightsUsed")));
    }
    return new RunState(require(n, "version").asInt(), spec, base, reports);
  }

  /** {@code History} → its steps. */
  static List<StepRecord> history(JsonNode n) {
    List<StepRecord> out = new ArrayList<>();
    for (JsonNode e : require(n, "steps")) {
      Map<String, @Nullable Object> diagnostics = e.hasNonNull("diagnostics")
          ? MAPPER.convertValue(e.get("diagnostics"), OBJECT_MAP) : Map.of();
      out.add(new StepRecord(require(e, "step").asLong(), doubles(e, "valLosses"), doubles(e, "trainLosses"),
          doubles(e, "gradNorms"), doubles(e, "weights"), diagnostics, doubles(e, "weightsUsed"),
          e.path("weightsUsedDiffer").asBoolean(false)));
    }
    return out;
  }

  private static Map<String, Double> doubles(JsonNode n, String key) {
    return n.hasNonNull(key) ? MAPPER.convertValue(n.get(key), DOUBLE_MAP) : Map.of();
  }

  private static JsonNode require(JsonNode n, String key) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      throw new CobaRejectedException(400, key, key + " is required");
    }
    return v;
  }
}
