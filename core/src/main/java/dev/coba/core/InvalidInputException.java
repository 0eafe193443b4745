package dev.coba.core;

/**
 * Input that a balancer refuses: names the offending field (JSON path style, e.g.
 * {@code valLosses.python}) so that every front end (HTTP, CLI) can point at it.
 * Thrown before any state changes.
 */
public final class InvalidInputException extends IllegalArgumentException {
  private final String field;

  public InvalidInputException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field, e.g. {@code "params.tau"}; never null. */
  public String field() {
    return field;
  }
}
