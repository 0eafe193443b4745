package dev.coba.sidecar.replay;

/**
 * A replay input that cannot be used: names the line (1-based, blank lines and the header
 * counted, as an editor shows them) and, where one is to blame, the field, e.g.
 * {@code line 7: valLosses.python: must be >= 0, got -1.0}.
 */
public final class ReplayInputException extends RuntimeException {
  private final int line;
  private final String field;

  public ReplayInputException(int line, String field, String message) {
    super("line " + line + ": " + (field == null ? "" : field + ": ") + message);
    this.line = line;
    this.field = field;
  }

  /** The 1-based line number. */
  public int line() {
    return line;
  }

  /** The offending field in dotted form ({@code valLosses.python}), or null for the line as a whole. */
  public String field() {
    return field;
  }
}
