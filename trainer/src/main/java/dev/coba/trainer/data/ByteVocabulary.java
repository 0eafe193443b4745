package dev.coba.trainer.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level vocabulary: ids 0..255 are the bytes of UTF-8 text, then four special tokens.
 * Any text encodes (no unknown token); decoding skips the special tokens.
 */
public final class ByteVocabulary {
  /** Padding: fills short rows of a batch; never a loss target. */
  public static final int PAD = 256;

  /** Beginning of a sequence. */
  public static final int BOS = 257;

  /** End of a sequence (or of an assistant turn); a loss target, so the model learns to stop. */
  public static final int EOS = 258;

  /** Separator: between prompt and completion, after a non-assistant chat turn. */
  public static final int SEP = 259;

  /** Number of token ids. */
  public static final int SIZE = 260;

  private ByteVocabulary() {}

  /** The UTF-8 bytes of {@code text} as token ids 0..255. */
  public static int[] encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = bytes[i] & 0xFF;
    }
    return ids;
  }

  /** The text of the byte tokens among {@code ids}, special tokens skipped. */
  public static String decode(int[] ids) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
    for (int id : ids) {
      if (id < 0 || id >= SIZE) {
        throw new IllegalArgumentException("token id out of range: " + id);
      }
      if (id < 256) {
        out.write(id);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A readable name for one token: the character for printable ASCII, else e.g. {@code <EOS>}, {@code <0xC3>}. */
  public static String name(int id) {
    return switch (id) {
      case PAD -> "<PAD>";
      case BOS -> "<BOS>";
      case EOS -> "<EOS>";
      case SEP -> "<SEP>";
      default -> {
        if (id < 0 || id >= SIZE) {
          throw new IllegalArgumentException("token id out of range: " + id);
        }
        yield id >= 32 && id < 127 ? String.valueOf((char) id) : String.format("<0x%02X>", id);
      }
    };
  }
}
