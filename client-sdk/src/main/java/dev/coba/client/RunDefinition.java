package dev.coba.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a run is: its id, tasks, balancing method and parameters, how many ranks report each
 * step, and the optional step-0 losses. Immutable; build with {@link #builder(String)}.
 */
public final class RunDefinition {
  private final String runId;
  private final List<String> tasks;
  private final String method;
  private final Map<String, Object> params;
  private final int worldSize;
  private final Map<String, Double> initialLosses;

  private RunDefinition(Builder b) {
    if (b.tasks.isEmpty()) {
      throw new IllegalArgumentException("a run needs at least one task");
    }
    if (b.worldSize < 1) {
      throw new IllegalArgumentException("worldSize must be >= 1, got " + b.worldSize);
    }
    this.runId = b.runId;
    this.tasks = List.copyOf(b.tasks);
    this.method = b.method;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
    this.worldSize = b.worldSize;
    this.initialLosses = Collections.unmodifiableMap(new LinkedHashMap<>(b.initialLosses));
  }

  public static Builder builder(String runId) {
    return new Builder(runId);
  }

  public String runId() {
    return runId;
  }

  public List<String> tasks() {
    return tasks;
  }

  public String method() {
    return method;
  }

  public Map<String, Object> params() {
    return params;
  }

  public int worldSize() {
    return worldSize;
  }

  public Map<String, Double> initialLosses() {
    return initialLosses;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof RunDefinition d
        && runId.equals(d.runId)
        && tasks.equals(d.tasks)
        && method.equals(d.method)
        && params.equals(d.params)
        && worldSize == d.worldSize
        && initialLosses.equals(d.initialLosses);
  }

  @Override
  public int hashCode() {
    return Objects.hash(runId, tasks, method, params, worldSize, initialLosses);
  }

  @Override
  public String toString() {
    return "RunDefinition["
        + runId
        + ", "
        + method
        + ", tasks="
        + tasks
        + ", worldSize="
        + worldSize
        + "]";
  }

  /** Mutable builder; method {@code coba} and world size 1 unless set. */
  public static final class Builder {
    private String runId;
    private final List<String> tasks = new ArrayList<>();
    private String method = "coba";
    private final Map<String, Object> params = new LinkedHashMap<>();
    private int worldSize = 1;
    private final Map<String, Double> initialLosses = new LinkedHashMap<>();

    private Builder(String runId) {
      this.runId = Objects.requireNonNull(runId, "runId");
    }

    public Builder runId(String runId) {
      this.runId = Objects.requireNonNull(runId, "runId");
      return this;
    }

    /** The task names, in order (replaces any given before). */
    public Builder tasks(List<String> tasks) {
      this.tasks.clear();
      this.tasks.addAll(tasks);
      return this;
    }

    public Builder tasks(String... tasks) {
      return tasks(List.of(tasks));
    }

    /** A name from GET /v1/methods, e.g. {@code coba}, {@code uniform}, {@code dwa}. */
    public Builder method(String method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /** One method parameter; missing ones take their defaults. */
    public Builder param(String name, Object value) {
      params.put(name, value);
      return this;
    }

    public Builder params(Map<String, ?> params) {
      this.params.putAll(params);
      return this;
    }

    public Builder worldSize(int worldSize) {
      this.worldSize = worldSize;
      return this;
    }

    public Builder initialLosses(Map<String, Double> losses) {
      initialLosses.clear();
      initialLosses.putAll(losses);
      return this;
    }

    public RunDefinition build() {
      return new RunDefinition(this);
    }
  }
}
