package dev.coba.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.coba.core.InvalidInputException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Turns what the JSON reader refuses into an {@link InvalidInputException}: the offending
 * field as a path ({@code valLosses.python}, {@code tasks[3]}; null for the document itself)
 * and a short message without Jackson's class names.
 */
public final class JsonErrors {
  private JsonErrors() {}

  /** {@code parser}: the parser that failed, still open (its current token is described). */
  public static InvalidInputException toInvalidInput(JsonProcessingException e, JsonParser parser) {
    return new InvalidInputException(
        fieldOf(e), explain(e, parser == null ? null : parser.currentToken()));
  }

  public static String fieldOf(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Unexpected end-of-input")) {
      return null; // a truncated document: no field is to blame
    }
    if (e instanceof DatabindException
        && e.getCause() instanceof JsonProcessingException cause
        && !(cause instanceof DatabindException)) {
      String path = JsonPaths.at(cause); // a syntax error inside a value: the parser knows where
      if (path != null) {
        return path;
      }
    }
    if (e instanceof JsonMappingException m) {
      StringBuilder path = new StringBuilder();
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          path.append('[').append(r.getIndex()).append(']');
        }
      }
      return path.length() == 0 ? null : path.toString();
    }
    return JsonPaths.at(e);
  }

  public static String explain(JsonProcessingException e, JsonToken token) {
    JsonProcessingException root =
        e instanceof DatabindException && e.getCause() instanceof JsonProcessingException c ? c : e;
    String msg =
        root.getOriginalMessage() == null
            ? root.getClass().getSimpleName()
            : root.getOriginalMessage();
    if (msg.startsWith("Non-standard token")) {
      return "NaN and Infinity are not JSON numbers; a value must be a finite number";
    }
    if (msg.startsWith("Trailing token")) {
      return "unexpected text after the JSON document";
    }
    if (msg.startsWith("No content to map")) {
      return "the body is empty: expected a JSON object";
    }
    if (msg.startsWith("Duplicate field")) {
      return "duplicate key: " + msg.substring("Duplicate field ".length());
    }
    if (root instanceof UnrecognizedPropertyException u) {
      Collection<Object> known = u.getKnownPropertyIds();
      return "unknown field '"
          + cut(u.getPropertyName(), 40)
          + "'"
          + (known == null ? "" : "; known: " + known);
    }
    if (root instanceof InvalidNullException) {
      return "must not be null";
    }
    if (root instanceof MismatchedInputException m && m.getTargetType() != null) {
      return "expected "
          + describe(m.getTargetType())
          + (token == null ? "" : ", got " + describe(token));
    }
    for (String noise :
        List.of(": enable ", " (start marker at ", "\n", " (for Object starting at")) {
      int at = msg.indexOf(noise);
      msg = at > 0 ? msg.substring(0, at) : msg;
    }
    return "invalid JSON: " + msg;
  }

  /** {@code s} up to {@code max} characters and "...", never splitting a surrogate pair. */
  public static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end) + "...";
  }

  private static String describe(Class<?> type) {
    if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
      return "an integer";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    return Map.class.isAssignableFrom(type) || type.isRecord() || type == Object.class
        ? "an object"
        : type.getSimpleName();
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT -> "an integer";
      case VALUE_NUMBER_FLOAT -> "a fractional number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_ARRAY, END_ARRAY -> "an array";
      case START_OBJECT, END_OBJECT, FIELD_NAME -> "an object";
      default -> t.name();
    };
  }
}
