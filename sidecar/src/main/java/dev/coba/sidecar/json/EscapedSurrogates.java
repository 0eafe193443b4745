package dev.coba.sidecar.json;

/**
 * The journal's access to {@link dev.coba.protocol.EscapedSurrogates}, which moved to the
 * protocol module with the HTTP layer's mapper. Goes once {@code runs.JournalCodec} imports the
 * protocol's class.
 */
public final class EscapedSurrogates {
  private EscapedSurrogates() {}

  /** {@link dev.coba.protocol.EscapedSurrogates#in}. */
  public static boolean in(byte[] data, int off, int len) {
    return dev.coba.protocol.EscapedSurrogates.in(data, off, len);
  }

  /** {@link dev.coba.protocol.EscapedSurrogates#decode}. */
  public static String decode(byte[] data, int off, int len) {
    return dev.coba.protocol.EscapedSurrogates.decode(data, off, len);
  }
}
