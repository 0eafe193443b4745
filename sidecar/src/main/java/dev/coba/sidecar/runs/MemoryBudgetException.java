package dev.coba.sidecar.runs;

/**
 * A change refused because what it would add does not fit the memory budget (HTTP 507); nothing
 * was stored. {@code field} names what does not fit (the run's {@code tasks}, a {@code step}).
 */
public final class MemoryBudgetException extends RuntimeException {
  private final String field;

  public MemoryBudgetException(String field, String message) {
    super(message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
