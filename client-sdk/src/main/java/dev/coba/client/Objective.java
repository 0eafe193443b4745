package dev.coba.client;

import java.util.Locale;

/** How the trainer combines its weighted per-task losses. */
public enum Objective {
  /** {@code loss = sum_i w_i * l_i}. */
  LINEAR,
  /** {@code loss = sum_i w_i * log(l_i)} (igbv1). */
  LOG;

  /** The wire name, {@code linear} or {@code log}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Objective fromWire(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
