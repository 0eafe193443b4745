package dev.coba.core.run;

import dev.coba.core.InvalidInputException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a run is: its id, tasks, method and parameters, how many ranks report each step, and
 * the optional step-0 losses. Immutable; parameters as given (the run resolves them).
 */
public record RunSpec(
    String runId,
    List<String> tasks,
    String method,
    Map<String, Object> params,
    int worldSize,
    Map<String, Double> initialLosses) {

  /** Run ids are safe in any file name, URL or SQL literal. */
  public static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  public static final int MAX_WORLD_SIZE = 4096;

  /**
   * The canonical constructor: params and initialLosses are optional (null is empty);
   * the accessors never answer null.
   */
  public RunSpec(
      String runId,
      List<String> tasks,
      String method,
      @Nullable Map<String, Object> params,
      int worldSize,
      @Nullable Map<String, Double> initialLosses) {
    if (runId == null || !RUN_ID.matcher(runId).matches()) {
      throw new InvalidInputException(
          "runId",
          "runId must match [A-Za-z0-9._-]{1,128}, got "
              + (runId == null ? "null" : "'" + abbreviate(runId) + "'"));
    }
    if (worldSize < 1 || worldSize > MAX_WORLD_SIZE) {
      throw new InvalidInputException(
          "worldSize", "worldSize must be in [1, " + MAX_WORLD_SIZE + "], got " + worldSize);
    }
    if (tasks == null) {
      throw new InvalidInputException("tasks", "tasks must name at least one task");
    }
    this.runId = runId;
    this.tasks = List.copyOf(tasks);
    this.method = method;
    this.params =
        params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
    this.worldSize = worldSize;
    this.initialLosses =
        initialLosses == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(initialLosses));
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
