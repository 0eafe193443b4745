package dev.coba.sidecar.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coba.protocol.JsonPaths;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One input line as JSON: strict parsing (no NaN or Infinity literals, which Jackson refuses
 * by default; no duplicate keys; nothing after the object) and typed accessors whose errors
 * name the line and the field.
 */
final class JsonLine {
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Steps beyond 2^53 written as floating point would not be exact. */
  private static final double MAX_EXACT_DOUBLE = 0x1p53;

  private final int line;
  private final ObjectNode object;

  private JsonLine(int line, ObjectNode object) {
    this.line = line;
    this.object = object;
  }

  /** Parses a non-blank line that must hold exactly one JSON object. */
  static JsonLine parse(int line, String text) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ReplayInputException(line, JsonPaths.at(e), "invalid JSON: " + explain(e));
    }
    if (!(node instanceof ObjectNode o)) {
      throw new ReplayInputException(
          line, null, "a line must hold one JSON object, got " + describe(node));
    }
    return new JsonLine(line, o);
  }

  int line() {
    return line;
  }

  boolean has(String field) {
    return object.has(field);
  }

  Iterator<String> fieldNames() {
    return object.fieldNames();
  }

  JsonNode get(String field) {
    return object.get(field);
  }

  ReplayInputException error(String field, String message) {
    return new ReplayInputException(line, field, message);
  }

  /** A non-negative integer step; integral floating-point text such as {@code 12.0} is accepted. */
  long step() {
    JsonNode v = object.get("step");
    if (v == null || v.isNull()) {
      throw error("step", "missing step: every report names the step it was measured after");
    }
    long step;
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) {
        throw error("step", "step " + v.asText() + " is too large");
      }
      step = v.longValue();
    } else if (v.isNumber()) {
      double d = v.doubleValue();
      if (!Double.isFinite(d) || d != Math.rint(d) || Math.abs(d) > MAX_EXACT_DOUBLE) {
        throw error("step", "step must be an integer, got " + v.asText());
      }
      step = (long) d;
    } else {
      throw error("step", "step must be an integer, got " + describe(v));
    }
    if (step < 0) {
      throw error("step", "step must be >= 0, got " + step);
    }
    return step;
  }

  /**
   * A map of task to value ({@code valLosses} and the like), in the line's order; absent or
   * {@code null} gives an empty map. Every value must be a finite number >= 0.
   */
  Map<String, Double> taskValues(String field) {
    JsonNode v = object.get(field);
    Map<String, Double> out = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw error(field, field + " must be an object of task to number, got " + describe(v));
    }
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      out.put(e.getKey(), nonNegative(field + "." + e.getKey(), e.getValue()));
    }
    return out;
  }

  private double nonNegative(String field, JsonNode v) {
    if (!v.isNumber()) {
      throw error(field, "must be a number, got " + describe(v));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      // Jackson reads 1e400 as Infinity: refuse it here rather than let it reach a balancer
      throw error(field, "number too large: a double holds at most about 1.8e308");
    }
    if (d < 0) {
      throw error(field, "must be >= 0 (a loss or a norm), got " + v.asText());
    }
    return d;
  }

  /**
   * Jackson's message without what does not help a user: hints about parser features they
   * cannot switch on, and the source location (the line number is given, the column added).
   */
  private static String explain(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    if (m.startsWith("Non-standard token")) {
      m =
          "NaN and Infinity are not JSON numbers; a value must be a finite number ("
              + m.substring(0, m.indexOf(':'))
              + ")";
    } else if (m.startsWith("Trailing token")) {
      m = "unexpected text after the JSON object (one object a line)";
    }
    for (String noise : List.of(": enable ", " (start marker at ", "\n")) {
      int at = m.indexOf(noise);
      m = at > 0 ? m.substring(0, at) : m;
    }
    return e.getLocation() == null || e.getLocation().getColumnNr() < 1
        ? m
        : m + " at column " + e.getLocation().getColumnNr();
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    return switch (v.getNodeType()) {
      case STRING -> "the string \"" + abbreviate(v.asText()) + "\"";
      case NULL -> "null";
      case BOOLEAN -> v.asText();
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> abbreviate(v.toString());
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
