package dev.coba.client;

import dev.coba.core.InvalidInputException;
import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.protocol.Wire.HistoryBody;
import dev.coba.protocol.Wire.HistoryEntryBody;
import dev.coba.protocol.Wire.RunBody;
import dev.coba.protocol.Wire.RunCreateBody;
import dev.coba.protocol.Wire.StepReportBody;
import dev.coba.protocol.Wire.StepWeightsBody;
import dev.coba.protocol.WireJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The client's types as protocol v1's records ({@code dev.coba.protocol.Wire}) and back: what
 * the remote client sends and reads, and what the in-process client answers as the sidecar
 * would. The JSON itself is {@link WireJson}'s, the sidecar's own mapper.
 */
final class WireBodies {
  private WireBodies() {}

  /** {@code RunCreate}. */
  static RunCreateBody runCreate(RunDefinition d) {
    return new RunCreateBody(
        d.runId(),
        d.tasks(),
        d.method(),
        d.params(),
        d.worldSize(),
        d.initialLosses().isEmpty() ? null : d.initialLosses());
  }

  /** {@code StepReport}. */
  static StepReportBody stepReport(StepReport r) {
    return new StepReportBody(
        r.step(),
        r.rank(),
        r.valLosses(),
        r.trainLosses(),
        r.gradNorms(),
        r.counts(),
        r.weightsUsed());
  }

  /** {@code StepWeights}. */
  static Weights weights(StepWeightsBody b) {
    return new Weights(b.weights(), Objective.fromWire(b.objective()), b.step(), false);
  }

  /** {@code Run}. */
  static RunInfo runInfo(RunBody b) {
    return new RunInfo(
        b.runId(),
        b.tasks(),
        b.method(),
        b.params(),
        b.worldSize(),
        b.step(),
        new Weights(b.weights(), Objective.fromWire(b.objective()), b.step(), false));
  }

  /** {@code History}: its steps. */
  static List<StepRecord> history(HistoryBody b) {
    List<StepRecord> out = new ArrayList<>(b.steps().size());
    for (HistoryEntryBody e : b.steps()) {
      out.add(
          new StepRecord(
              e.step(),
              orEmpty(e.valLosses()),
              orEmpty(e.trainLosses()),
              orEmpty(e.gradNorms()),
              orEmpty(e.weights()),
              e.diagnostics() == null ? Map.of() : e.diagnostics(),
              orEmpty(e.weightsUsed()),
              Boolean.TRUE.equals(e.weightsUsedDiffer())));
    }
    return out;
  }

  /** An answer read as {@code type}; an answer the protocol cannot read is the sidecar's fault, not the caller's. */
  static <T> T answer(String body, Class<T> type) {
    try {
      return WireJson.readAnswer(body, type);
    } catch (InvalidInputException e) {
      throw new CobaException(
          "the sidecar's answer is not a "
              + type.getSimpleName()
              + " of protocol v1"
              + (e.field() == null ? "" : " (" + e.field() + ")")
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** {@code Error} as an exception; a body that is no {@code Error} is quoted as the message. */
  static CobaRejectedException rejected(int status, String body) {
    try {
      ErrorBody e = WireJson.readAnswer(body, ErrorBody.class);
      return new CobaRejectedException(status, e.field(), e.error() == null ? body : e.error());
    } catch (RuntimeException e) {
      return new CobaRejectedException(status, null, body.isEmpty() ? "HTTP " + status : body);
    }
  }

  private static Map<String, Double> orEmpty(@Nullable Map<String, Double> m) {
    return m == null ? Map.of() : m;
  }
}
