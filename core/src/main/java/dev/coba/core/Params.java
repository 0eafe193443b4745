package dev.coba.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A method's parameters, validated and resolved (defaults filled in). Immutable. */
public final class Params {
  private final Map<String, Object> values;

  private Params(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(values);
  }

  /**
   * Validates {@code given} against {@code specs}: unknown names and bad values are refused;
   * missing ones get their defaults. The result keeps the order of {@code specs}.
   */
  public static Params resolve(
      String method, List<ParamSpec> specs, @Nullable Map<String, ?> given) {
    Map<String, ?> in = given == null ? Map.of() : given;
    for (String key : in.keySet()) {
      if (specs.stream().noneMatch(s -> s.name().equals(key))) {
        throw new InvalidInputException(
            "params." + key,
            "unknown parameter '"
                + key
                + "' for method "
                + method
                + "; known: "
                + specs.stream().map(ParamSpec::name).toList());
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (ParamSpec spec : specs) {
      Object v =
          in.containsKey(spec.name())
              ? spec.validate(in.get(spec.name()))
              : spec.validate(spec.defaultValue());
      out.put(spec.name(), v);
    }
    return new Params(out);
  }

  public long getLong(String name) {
    return ((Number) require(name)).longValue();
  }

  public int getInt(String name) {
    return Math.toIntExact(getLong(name));
  }

  public double getDouble(String name) {
    return ((Number) require(name)).doubleValue();
  }

  public boolean getBool(String name) {
    return (Boolean) require(name);
  }

  public String getString(String name) {
    return (String) require(name);
  }

  /** The resolved values in declaration order. */
  public Map<String, Object> asMap() {
    return values;
  }

  private Object require(String name) {
    Object v = values.get(name);
    if (v == null) {
      throw new IllegalStateException("no parameter " + name);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Params p && values.equals(p.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
