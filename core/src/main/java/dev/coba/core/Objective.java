package dev.coba.core;

/** How the trainer combines the weighted per-task training losses. */
public enum Objective {
  /** {@code loss = sum_i w_i * l_i}. */
  LINEAR,
  /** {@code loss = sum_i w_i * log(l_i)} (IGB). */
  LOG;

  /** The wire name: {@code "linear"} or {@code "log"}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
