package dev.coba.protocol;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.coba.core.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapper of protocol v1, shared by the sidecar and the Java client: strict on the
 * way in (no NaN or Infinity literals,
 * no duplicate keys, no unknown fields, no null in a map or list unless a field says so, no strings or
 * fractions where a number or an integer is expected, nothing after the document), plain on
 * the way out (doubles with full round-trip precision; characters beyond the Basic Multilingual
 * Plane as UTF-8, not as escaped surrogate pairs, which some readers refuse in object keys).
 *
 * <p>Requests are read with {@link #read}, strictly. A client reads answers with
 * {@link #readAnswer}: the same settings except that a property it does not know is skipped,
 * since the answers' schemas allow more properties (a newer sidecar may add one).
 */
public final class WireJson {
  public static final JsonMapper MAPPER = strictMapper();

  /** One reader per body type: its type and deserializer are looked up once, not per request. */
  private static final ClassValue<ObjectReader> READERS =
      new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
          return MAPPER.readerFor(type);
        }
      };

  /** {@link #MAPPER} for answers: the same settings, unknown properties skipped. */
  private static final JsonMapper ANSWERS = answersMapper();

  private WireJson() {}

  private static JsonMapper strictMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // the same doubles as the JDK's parser and printer, faster: a report is mostly numbers
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .withCoercionConfig(
                LogicalType.Float,
                c ->
                    c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(
                LogicalType.Integer,
                c ->
                    c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(
                LogicalType.Textual,
                c ->
                    c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(
                LogicalType.Boolean,
                c ->
                    c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
            .build();
    // a null inside a map or list is refused unless a field declares it meaningful (see Wire);
    // a field given as null counts as absent
    mapper.setDefaultSetterInfo(JsonSetter.Value.construct(Nulls.DEFAULT, Nulls.FAIL));
    return mapper;
  }

  private static JsonMapper answersMapper() {
    JsonMapper answers = MAPPER.copy();
    answers.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    return answers;
  }

  /**
   * Parses a request body.
   *
   * @throws InvalidInputException naming the offending field for anything malformed
   */
  public static <T> T read(byte[] body, Class<T> type) {
    return type.cast(read(MAPPER, READERS.get(type), body));
  }

  /** {@link #read(byte[], Class)} for a generic type (see {@link Wire#SCHEMAS}). */
  public static <T> T read(byte[] body, JavaType type) {
    return read(MAPPER, MAPPER.readerFor(type), body);
  }

  private static <T> T read(JsonMapper mapper, ObjectReader reader, byte[] body) {
    String text =
        EscapedSurrogates.in(body, 0, body.length)
            ? EscapedSurrogates.decode(body, 0, body.length)
            : null;
    try (JsonParser parser = text != null ? mapper.createParser(text) : mapper.createParser(body)) {
      try {
        return reader.readValue(parser);
      } catch (JsonProcessingException e) {
        throw JsonErrors.toInvalidInput(e, parser); // while the parser still knows its token
      }
    } catch (JsonProcessingException e) {
      throw JsonErrors.toInvalidInput(e, null);
    } catch (IOException e) { // reading from a byte array does no I/O
      throw new UncheckedIOException(e);
    }
  }

  /** {@link #read(byte[], Class)} of a text. */
  public static <T> T read(String body, Class<T> type) {
    return read(body.getBytes(StandardCharsets.UTF_8), type);
  }

  /**
   * Parses an answer of the sidecar: as {@link #read(byte[], Class)}, but properties that
   * {@code type} does not declare are skipped.
   *
   * @throws InvalidInputException naming the offending field for anything malformed
   */
  public static <T> T readAnswer(String body, Class<T> type) {
    return type.cast(read(ANSWERS, ANSWERS.readerFor(type), body.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Builds the readers and writers of {@code types} now (Jackson builds them on first use), so
   * that a client's first call does not spend its time limit on them.
   */
  public static void prepare(Class<?>... types) {
    for (Class<?> type : types) {
      MAPPER.writerFor(type);
      MAPPER.readerFor(type);
      ANSWERS.readerFor(type);
    }
  }

  /** {@link #write(Object)} as text. */
  public static String writeString(Object value) {
    return new String(write(value), StandardCharsets.UTF_8);
  }

  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
