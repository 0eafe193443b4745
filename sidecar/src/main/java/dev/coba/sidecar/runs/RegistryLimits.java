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

  /**
   * 10,000 runs; 2,000 retained steps each: enough to rewind to a checkpoint taken every
   * 1,000 steps, at about 2.5 KB a step (K = 9; measured) or 5 MB a run.
   */
  public static RegistryLimits defaults() {
    return new RegistryLimits(10_000, 2_000);
  }
}
