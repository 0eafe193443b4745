package dev.coba.client;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A run as the balancer holds it: its definition with every parameter resolved, the last
 * completed step (null before the first) and the current weights.
 */
public record RunInfo(
    String runId,
    List<String> tasks,
    String method,
    Map<String, Object> params,
    int worldSize,
    @Nullable Long step,
    Weights weights) {

  public RunInfo {
    tasks = List.copyOf(tasks);
    params = Map.copyOf(params);
  }
}
