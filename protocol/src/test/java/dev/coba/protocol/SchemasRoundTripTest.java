package dev.coba.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coba.core.InvalidInputException;
import io.swagger.v3.oas.models.media.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every schema of openapi.yaml's {@code components/schemas} round-trips through its protocol
 * type ({@link Wire#SCHEMAS}): a document built from the schema (every property, and only the
 * required ones) is read by the strict mapper, written back, and what comes back is valid for
 * the schema and holds every value that went in. A record's properties are exactly the
 * schema's, and a schema without a type fails.
 */
class SchemasRoundTripTest {
  private static final OpenApiContract CONTRACT = OpenApiContract.load();
  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static Stream<String> schemas() {
    return CONTRACT.api.getComponents().getSchemas().keySet().stream();
  }

  @Test
  void everySchemaHasAProtocolTypeAndEveryTypeASchema() {
    Set<String> yaml = new TreeSet<>(CONTRACT.api.getComponents().getSchemas().keySet());
    assertEquals(
        yaml, new TreeSet<>(Wire.SCHEMAS.keySet()), "openapi.yaml's schemas against Wire.SCHEMAS");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void roundTripsWithEveryProperty(String name) {
    roundTrip(name, example(CONTRACT.schema(name), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void roundTripsWithTheRequiredPropertiesOnly(String name) {
    roundTrip(name, example(CONTRACT.schema(name), false));
  }

  /** Object schemas with properties: the record's JSON properties are exactly the schema's. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void aRecordHasExactlyTheSchemasProperties(String name) {
    Schema<?> schema = CONTRACT.schema(name);
    JavaType type = type(name);
    if (schema.getProperties() == null) {
      return; // a string or a map: no properties to compare
    }
    assertTrue(type.getRawClass().isRecord(), name + " needs a record, has " + type);
    BeanDescription serialized = WireJson.MAPPER.getSerializationConfig().introspect(type);
    BeanDescription read = WireJson.MAPPER.getDeserializationConfig().introspect(type);
    Set<String> written =
        new TreeSet<>(
            serialized.findProperties().stream().map(BeanPropertyDefinition::getName).toList());
    Set<String> readable =
        new TreeSet<>(read.findProperties().stream().map(BeanPropertyDefinition::getName).toList());
    Set<String> declared = new TreeSet<>(schema.getProperties().keySet());
    assertEquals(
        declared, written, name + ": what " + type.getRawClass().getSimpleName() + " writes");
    assertEquals(
        declared, readable, name + ": what " + type.getRawClass().getSimpleName() + " reads");
  }

  /** What the schema refuses as an unknown property, the type refuses too. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void aClosedSchemasTypeRefusesAnUnknownProperty(String name) {
    Schema<?> schema = CONTRACT.schema(name);
    if (!Boolean.FALSE.equals(schema.getAdditionalProperties())) {
      return;
    }
    ObjectNode doc = (ObjectNode) example(schema, true);
    doc.put("surplus", 1);
    InvalidInputException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidInputException.class, () -> WireJson.read(bytes(doc), type(name)));
    assertTrue(e.getMessage().startsWith("unknown field 'surplus'"), e.getMessage());
  }

  private static JavaType type(String name) {
    JavaType type = Wire.SCHEMAS.get(name);
    assertNotNull(
        type,
        () ->
            "openapi.yaml's schema "
                + name
                + " has no protocol type: add a record and its line to Wire.SCHEMAS");
    return type;
  }

  private static void roundTrip(String name, JsonNode in) {
    Schema<?> schema = CONTRACT.schema(name);
    List<String> problems = new ArrayList<>();
    OpenApiContract.validate(schema, in, "$", problems);
    assertEquals(
        List.of(), problems, () -> "the test's own example of " + name + " is invalid: " + in);
    JavaType type = type(name);
    Object value = WireJson.read(bytes(in), type);
    byte[] written = WireJson.write(value);
    JsonNode out = tree(written);
    OpenApiContract.validate(schema, out, "$", problems);
    assertEquals(List.of(), problems, () -> name + " written by " + type + ": " + out);
    List<String> lost = new ArrayList<>();
    kept(in, out, "$", lost);
    assertEquals(List.of(), lost, () -> name + ": " + in + " came back as " + out);
    assertEquals(value, WireJson.read(written, type), name + ": read again, the same value");
  }

  /** Every value of {@code in} is in {@code out}; {@code out} adds nulls at most (a nullable field written). */
  private static void kept(JsonNode in, JsonNode out, String at, List<String> lost) {
    if (in.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode o = out.get(e.getKey());
        if (o == null) {
          lost.add(at + "." + e.getKey() + " is gone");
        } else {
          kept(e.getValue(), o, at + "." + e.getKey(), lost);
        }
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = out.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!in.has(e.getKey()) && !e.getValue().isNull()) {
          lost.add(at + "." + e.getKey() + " appeared: " + e.getValue());
        }
      }
    } else if (in.isArray()) {
      if (!out.isArray() || out.size() != in.size()) {
        lost.add(at + ": " + in + " became " + out);
        return;
      }
      for (int i = 0; i < in.size(); i++) {
        kept(in.get(i), out.get(i), at + "[" + i + "]", lost);
      }
    } else if (in.isNumber() && out.isNumber()
        ? in.decimalValue().compareTo(out.decimalValue()) != 0
            || in.isIntegralNumber() != out.isIntegralNumber()
        : !in.equals(out)) {
      lost.add(at + ": " + in + " became " + out);
    }
  }

  // -------------------------------------------------------------- documents built from a schema

  /** A valid document of {@code s}: every declared property ({@code full}) or only the required ones. */
  @SuppressWarnings("rawtypes")
  static JsonNode example(Schema<?> s, boolean full) {
    if (s.getEnum() != null && !s.getEnum().isEmpty()) {
      return PLAIN.valueToTree(s.getEnum().get(0));
    }
    String type = s.getType() == null && s.getProperties() != null ? "object" : s.getType();
    if (type == null) {
      return NODES.numberNode(1); // any value (ParamInfo's default)
    }
    return switch (type) {
      case "object" -> {
        ObjectNode o = NODES.objectNode();
        Map<String, Schema> props = s.getProperties() == null ? Map.of() : s.getProperties();
        List<String> required = s.getRequired() == null ? List.of() : s.getRequired();
        props.forEach(
            (k, v) -> {
              if (full || required.contains(k)) {
                o.set(k, example(v, full));
              }
            });
        if (s.getAdditionalProperties() instanceof Schema<?> values && props.isEmpty()) {
          o.set("task-a", example(values, full)); // a map: two entries
          o.set("task-b", example(values, full));
        }
        yield o;
      }
      case "array" -> {
        ArrayNode a = NODES.arrayNode();
        a.add(example(s.getItems(), full));
        if (!Boolean.TRUE.equals(s.getUniqueItems()) && s.getItems().getEnum() == null) {
          a.add(example(s.getItems(), full));
        } else if (Boolean.TRUE.equals(s.getUniqueItems())) {
          a.add(NODES.textNode("second")); // the only unique arrays are of task names
        }
        yield a;
      }
      case "string" -> NODES.textNode(string(s));
      case "integer" ->
          NODES.numberNode(s.getMinimum() == null ? 3L : s.getMinimum().longValue() + 2);
      case "number" ->
          NODES.numberNode(s.getMinimum() == null ? 0.25 : s.getMinimum().doubleValue() + 0.25);
      case "boolean" -> NODES.booleanNode(true);
      default -> throw new AssertionError("a schema type this test does not build: " + type);
    };
  }

  private static String string(Schema<?> s) {
    for (String candidate : List.of("run-1", "x")) {
      if ((s.getPattern() == null || Pattern.compile(s.getPattern()).matcher(candidate).find())
          && (s.getMinLength() == null || candidate.length() >= s.getMinLength())) {
        return candidate;
      }
    }
    throw new AssertionError("no example string for " + s.getPattern());
  }

  private static byte[] bytes(JsonNode n) {
    return n.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static JsonNode tree(byte[] json) {
    try {
      return PLAIN.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
