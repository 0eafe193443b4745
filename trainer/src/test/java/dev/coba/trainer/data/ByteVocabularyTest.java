package dev.coba.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteVocabularyTest {
  @Test
  void asciiEncodesToItsBytes() {
    assertArrayEquals(new int[] {104, 105}, ByteVocabulary.encode("hi"));
  }

  @Test
  void nonAsciiRoundTripsThroughUtf8Bytes() {
    String text = "Grüße, 世界 🙂";
    int[] ids = ByteVocabulary.encode(text);
    assertEquals(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, ids.length);
    assertArrayEquals(new int[] {0xC3, 0xBC}, ByteVocabulary.encode("ü"));
    assertEquals(text, ByteVocabulary.decode(ids));
  }

  @Test
  void decodeSkipsSpecialTokensAndRejectsOutOfRange() {
    assertEquals(
        "ab",
        ByteVocabulary.decode(
            new int[] {
              ByteVocabulary.BOS, 97, ByteVocabulary.SEP, 98, ByteVocabulary.EOS, ByteVocabulary.PAD
            }));
    assertThrows(
        IllegalArgumentException.class,
        () -> ByteVocabulary.decode(new int[] {ByteVocabulary.SIZE}));
    assertEquals(260, ByteVocabulary.SIZE);
    assertEquals("<EOS>", ByteVocabulary.name(ByteVocabulary.EOS));
    assertEquals("a", ByteVocabulary.name(97));
    assertEquals("<0xC3>", ByteVocabulary.name(0xC3));
  }
}
