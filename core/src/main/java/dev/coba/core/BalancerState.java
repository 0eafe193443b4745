package dev.coba.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The whole state of a balancer as a plain value: JSON-friendly (numbers, booleans,
 * strings, lists, maps, {@code null} for "no value"), versioned, enough to continue
 * bit-identically after {@link Methods#restore}.
 *
 * @param version the layout version of {@code data}; bumped when a method's layout changes
 * @param method the method name
 * @param tasks the tasks in order
 * @param params the resolved parameters
 * @param initialLosses the step-0 losses given at creation (may be empty)
 * @param data the method's own state; null is a number not known yet (NaN in memory)
 */
public record BalancerState(
    int version,
    String method,
    List<String> tasks,
    Map<String, Object> params,
    Map<String, Double> initialLosses,
    Map<String, @Nullable Object> data) {

  /** The layout version this build writes and reads. */
  public static final int CURRENT_VERSION = 1;

  public BalancerState {
    tasks = List.copyOf(tasks);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    initialLosses = Collections.unmodifiableMap(new LinkedHashMap<>(initialLosses));
    data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
  }
}
