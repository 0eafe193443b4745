package dev.coba.sidecar.runs;

/**
 * What one sidecar holds at most: runs, completed steps retained per run (for retries, history
 * and rewinds; older steps are folded into the method's state), and the bytes all runs may take
 * on the heap ({@code memoryBudget}, an estimate charged on admission; see {@link MemoryBudget}).
 */
public record RegistryLimits(int maxRuns, int maxHistory, long memoryBudget) {
  /** The default budget: this share of the largest heap the JVM may have (the rest is for requests, GC, Jetty). */
  public static final double DEFAULT_BUDGET_SHARE = 0.5;

  public RegistryLimits {
    if (maxRuns < 1 || maxHistory < 1 || memoryBudget < 1) {
      throw new IllegalArgumentException(
          "limits must be positive: maxRuns "
              + maxRuns
              + ", maxHistory "
              + maxHistory
              + ", memoryBudget "
              + memoryBudget);
    }
  }

  /** With the default memory budget. */
  public RegistryLimits(int maxRuns, int maxHistory) {
    this(maxRuns, maxHistory, defaultMemoryBudget());
  }

  /**
   * 10,000 runs; 2,000 retained steps each: enough to rewind to a checkpoint taken every
   * 1,000 steps, at about 2.8 KB a step (K = 9, one rank, validation losses; measured) or 5.6 MB
   * a run; the default memory budget bounds what they may take together.
   */
  public static RegistryLimits defaults() {
    return new RegistryLimits(10_000, 2_000);
  }

  /** {@link #DEFAULT_BUDGET_SHARE} of the JVM's maximum heap. */
  public static long defaultMemoryBudget() {
    return (long) (Runtime.getRuntime().maxMemory() * DEFAULT_BUDGET_SHARE);
  }
}
