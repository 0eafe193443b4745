package dev.coba.protocol;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.protocol.Wire.HealthBody;
import dev.coba.protocol.Wire.HistoryBody;
import dev.coba.protocol.Wire.HistoryEntryBody;
import dev.coba.protocol.Wire.MethodInfoBody;
import dev.coba.protocol.Wire.MethodListBody;
import dev.coba.protocol.Wire.ParamInfoBody;
import dev.coba.protocol.Wire.RewindBody;
import dev.coba.protocol.Wire.RunBody;
import dev.coba.protocol.Wire.RunCreateBody;
import dev.coba.protocol.Wire.RunPageBody;
import dev.coba.protocol.Wire.RunStateBody;
import dev.coba.protocol.Wire.RunSummaryBody;
import dev.coba.protocol.Wire.SeriesBody;
import dev.coba.protocol.Wire.SeriesChartBody;
import dev.coba.protocol.Wire.SeriesLineBody;
import dev.coba.protocol.Wire.StepPendingBody;
import dev.coba.protocol.Wire.StepReportBody;
import dev.coba.protocol.Wire.StepWeightsBody;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every schema of {@code openapi.yaml}'s {@code components/schemas} and the Java type that
 * reads and writes it, in the yaml's order. The protocol's test round-trips each schema through
 * its type and fails for a schema missing here; the contract tests read every answer of the
 * sidecar through the type of its schema.
 */
public final class Schemas {
  private Schemas() {}

  private static final Map<String, JavaType> TYPES = new LinkedHashMap<>();

  static {
    put("Error", ErrorBody.class);
    put("Health", HealthBody.class);
    put("RunId", String.class);
    put("TaskName", String.class);
    put("TaskValues", new TypeReference<Map<String, Double>>() {});
    put("TaskWeights", new TypeReference<Map<String, Double>>() {});
    put("RunCreate", RunCreateBody.class);
    put("Run", RunBody.class);
    put("RunSummary", RunSummaryBody.class);
    put("RunPage", RunPageBody.class);
    put("StepReport", StepReportBody.class);
    put("StepWeights", StepWeightsBody.class);
    put("StepPending", StepPendingBody.class);
    put("HistoryEntry", HistoryEntryBody.class);
    put("History", HistoryBody.class);
    put("Series", SeriesBody.class);
    put("SeriesChart", SeriesChartBody.class);
    put("SeriesLine", SeriesLineBody.class);
    put("RunState", RunStateBody.class);
    put("Rewind", RewindBody.class);
    put("MethodList", MethodListBody.class);
    put("MethodInfo", MethodInfoBody.class);
    put("ParamInfo", ParamInfoBody.class);
  }

  private static void put(String schema, Class<?> type) {
    TYPES.put(schema, WireJson.MAPPER.constructType(type));
  }

  private static void put(String schema, TypeReference<?> type) {
    TYPES.put(schema, WireJson.MAPPER.constructType(type));
  }

  /** Schema name to type, in the yaml's order. */
  public static Map<String, JavaType> all() {
    return java.util.Collections.unmodifiableMap(TYPES);
  }

  /** The type of a schema; null when the protocol has none. */
  public static JavaType type(String schema) {
    return TYPES.get(schema);
  }
}
