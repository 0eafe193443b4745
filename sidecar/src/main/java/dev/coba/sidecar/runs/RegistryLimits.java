package dev.coba.sidecar.runs;

/**
 * What one sidecar holds at most: runs, and completed steps retained per run (for retries,
 * history and rewinds; older steps are folded into the method's state).
 */
public record RegistryLimits(int maxRuns, int maxHistory) {
  public RegistryLimits {
    if (maxRuns < 1 || maxHistory < 1) {
      throw new IllegalArgumentException("limits must be positive: maxRuns " + maxRuns + ", maxHistory " + maxHistory);
    }
  }

  public static RegistryLimits defaults() {
    return new RegistryLimits(10_000, 10_000);
  }
}
