package dev.coba.core.run;

/**
 * A request that contradicts what the run holds: another body for a step a rank already
 * reported, a step the run has passed, a rewind beyond the retained history. Changes nothing.
 */
public final class RunConflictException extends RuntimeException {
  private final String field;

  public RunConflictException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
