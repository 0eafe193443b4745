package dev.coba.core;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One parameter of a method: its name, type, default and admissible range. Values from
 * JSON must already have the right type; {@link #parse} converts command-line text.
 */
public record ParamSpec(
    String name,
    Type type,
    Object defaultValue,
    @Nullable Double min,
    @Nullable Double max,
    List<String> choices,
    String description) {

  public enum Type {
    INT,
    DOUBLE,
    BOOL,
    CHOICE
  }

  public static ParamSpec integer(String name, long def, long min, long max, String description) {
    return new ParamSpec(name, Type.INT, def, (double) min, (double) max, List.of(), description);
  }

  public static ParamSpec real(
      String name, double def, double min, double max, String description) {
    return new ParamSpec(name, Type.DOUBLE, def, min, max, List.of(), description);
  }

  public static ParamSpec bool(String name, boolean def, String description) {
    return new ParamSpec(name, Type.BOOL, def, null, null, List.of(), description);
  }

  public static ParamSpec choice(
      String name, String def, List<String> choices, String description) {
    return new ParamSpec(name, Type.CHOICE, def, null, null, List.copyOf(choices), description);
  }

  /** Checks a JSON-typed value and returns it in canonical form (Long, Double, Boolean, String). */
  public Object validate(Object value) {
    String field = "params." + name;
    switch (type) {
      case INT -> {
        if (!(value instanceof Number n) || !isIntegral(n)) {
          throw new InvalidInputException(
              field, name + " must be an integer, got " + describe(value));
        }
        long v = n.longValue();
        checkRange(field, v);
        return v;
      }
      case DOUBLE -> {
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
          throw new InvalidInputException(
              field, name + " must be a finite number, got " + describe(value));
        }
        double v = n.doubleValue();
        checkRange(field, v);
        return v;
      }
      case BOOL -> {
        if (!(value instanceof Boolean b)) {
          throw new InvalidInputException(
              field, name + " must be true or false, got " + describe(value));
        }
        return b;
      }
      case CHOICE -> {
        if (!(value instanceof String s) || !choices.contains(s)) {
          throw new InvalidInputException(
              field, name + " must be one of " + choices + ", got " + describe(value));
        }
        return s;
      }
      default -> throw new AssertionError(type);
    }
  }

  /** Converts command-line text to the parameter's type, then validates it. */
  public Object parse(String text) {
    String t = text.trim();
    Object value =
        switch (type) {
          case INT -> {
            try {
              yield Long.parseLong(t);
            } catch (NumberFormatException e) {
              throw new InvalidInputException(
                  "params." + name, name + " must be an integer, got '" + text + "'");
            }
          }
          case DOUBLE -> {
            try {
              yield Double.parseDouble(t);
            } catch (NumberFormatException e) {
              throw new InvalidInputException(
                  "params." + name, name + " must be a number, got '" + text + "'");
            }
          }
          case BOOL ->
              switch (t.toLowerCase(Locale.ROOT)) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default ->
                    throw new InvalidInputException(
                        "params." + name, name + " must be true or false, got '" + text + "'");
              };
          case CHOICE -> t;
        };
    return validate(value);
  }

  private void checkRange(String field, double v) {
    if ((min != null && v < min) || (max != null && v > max)) {
      throw new InvalidInputException(
          field,
          name
              + " must be in ["
              + fmt(min)
              + ", "
              + fmt(max)
              + "], got "
              + fmt(v)
              + (description.isEmpty() ? "" : " (" + description + ")"));
    }
  }

  private boolean isIntegral(Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return true;
    }
    if (n instanceof java.math.BigInteger b) {
      return b.bitLength() < 63;
    }
    double d = n.doubleValue();
    return Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < 9.0e15;
  }

  private String fmt(@Nullable Double d) {
    if (d == null) {
      return "-inf";
    }
    return type == Type.INT ? String.valueOf(d.longValue()) : String.valueOf(d);
  }

  private static String describe(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return "\"" + s + "\"";
    }
    return value.toString();
  }
}
