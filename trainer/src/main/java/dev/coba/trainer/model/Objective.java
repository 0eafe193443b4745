package dev.coba.trainer.model;

/**
 * How the weighted per-task losses become the one number that is differentiated:
 * {@code LINEAR} is {@code Σ w_i L_i} (CoBa and most methods); {@code LOG} is
 * {@code Σ w_i log L_i} (IGB's objective, scale-free across tasks).
 */
public enum Objective {
  LINEAR,
  LOG;

  /** {@code linear} or {@code log}, as the balancer protocol names them. */
  public static Objective parse(String name) {
    return switch (name) {
      case "linear" -> LINEAR;
      case "log" -> LOG;
      default -> throw new IllegalArgumentException("objective must be linear or log, got " + name);
    };
  }
}
