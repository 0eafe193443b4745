package dev.coba.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.trainer.data.Batch;
import dev.coba.trainer.data.Batches;
import dev.coba.trainer.data.Example;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exact match and next-token accuracy against hand-built predictions, counted by hand. */
class AnswerScoresTest {
  private static final int BOS = 257;
  private static final int EOS = 258;
  private static final int SEP = 259;
  private static final int PAD = 256;

  /** Any token at a position that is not a target: it must not count. */
  private static final int ANY = 'q';

  @Test
  void exactMatchNeedsEveryCompletionTokenAndTheEos() {
    // "ab" -> "cd": BOS a b SEP [c d EOS]; predicted[i] is compared with ids[i + 1]
    Example ab = Example.promptCompletion("ab", "cd", 100);
    // "x" -> "y": BOS x SEP [y EOS]
    Example x = Example.promptCompletion("x", "y", 100);
    AnswerScores s = new AnswerScores(2);
    s.add(0, ab.ids(), ab.mask(), new long[] {ANY, ANY, ANY, 'c', 'd', EOS}); // 3 of 3: exact
    s.add(
        0, ab.ids(), ab.mask(), new long[] {ANY, ANY, ANY, 'c', 'd', 'e'}); // does not stop: 2 of 3
    s.add(0, x.ids(), x.mask(), new long[] {'a', 'b', 'y', EOS}); // 2 of 2: exact
    s.add(
        0,
        ab.ids(),
        ab.mask(),
        new long[] {ANY, ANY, ANY, 'd', 'd', EOS}); // first token wrong: 2 of 3
    assertEquals(2.0 / 4, s.exactMatch(0));
    assertEquals((3 + 2 + 2 + 2) / (3.0 + 3 + 2 + 3), s.nextTokenAccuracy(0), 1e-15);
    assertFalse(s.isText(0));
    assertNull(s.exactMatch(1), "no example, no figure");
    assertTrue(Double.isNaN(s.nextTokenAccuracy(1)));
  }

  @Test
  void paddingIsNeitherPromptNorTarget() {
    Example x = Example.promptCompletion("x", "y", 100);
    Example text = Example.text("hello", 100);
    Batch b = Batches.pad(List.of(x, text), new int[] {0, 1}); // x padded from 5 to 7 tokens
    assertEquals(PAD, b.ids()[0][6]);
    AnswerScores s = new AnswerScores(2);
    s.add(0, b.ids()[0], b.mask()[0], new long[] {ANY, ANY, 'y', EOS, ANY, ANY});
    assertEquals(1.0, s.exactMatch(0));
    assertEquals(1.0, s.nextTokenAccuracy(0));
  }

  @Test
  void aTextTaskHasNoExactMatchOnlyNextTokenAccuracy() {
    Example hi = Example.text("hi", 100); // BOS [h i EOS]
    Example hey = Example.text("hey", 100); // BOS [h e y EOS]
    Example pair = Example.promptCompletion("p", "c", 100);
    AnswerScores s = new AnswerScores(1);
    s.add(0, hi.ids(), hi.mask(), new long[] {'h', 'x', EOS}); // 2 of 3
    s.add(0, hey.ids(), hey.mask(), new long[] {'h', 'e', 'y', EOS}); // 4 of 4
    s.add(0, pair.ids(), pair.mask(), new long[] {ANY, ANY, 'c', EOS}); // 2 of 2
    assertTrue(s.isText(0), "one text example makes it a text task");
    assertNull(s.exactMatch(0));
    assertEquals(8.0 / 9, s.nextTokenAccuracy(0), 1e-15);
    assertEquals(SEP, pair.ids()[2]);
    assertEquals(BOS, hi.ids()[0]);
  }
}
