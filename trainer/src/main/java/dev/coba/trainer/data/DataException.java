package dev.coba.trainer.data;

/** Bad training data; the message names the file, and the 1-based line where one applies. */
public class DataException extends RuntimeException {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
