package dev.coba.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Jackson 2.21's UTF-8 byte parser refuses an escaped surrogate pair ({@code \ud83d\ude00},
 * how Python's {@code json.dumps} writes an emoji) inside an object key ("Illegal surrogate
 * character"); its character parser reads it. Text that holds such an escape is decoded to
 * characters first and parsed from those; everything else keeps the faster byte path.
 * (Jackson 2.22's byte parser reads it too: this can go when the project moves to it.)
 */
public final class EscapedSurrogates {
  private EscapedSurrogates() {}

  /** Whether {@code data[off, off + len)} holds a {@code \}{@code uD800}..{@code \}{@code uDFFF} escape. */
  public static boolean in(byte[] data, int off, int len) {
    int end = off + len - 3;
    for (int i = off; i < end; i++) {
      if (data[i] == '\\' && data[i + 1] == 'u' && (data[i + 2] | 0x20) == 'd') {
        int c = data[i + 3] | 0x20; // 8..f: a surrogate
        if (c == '8' || c == '9' || (c >= 'a' && c <= 'f')) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The text as characters, or null when it is not valid UTF-8 (the byte parser then reports
   * where, as it always did).
   */
  public static String decode(byte[] data, int off, int len) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(data, off, len));
      return chars.toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
