package dev.coba.trainer.data;

import static dev.coba.trainer.data.ByteVocabulary.BOS;
import static dev.coba.trainer.data.ByteVocabulary.EOS;
import static dev.coba.trainer.data.ByteVocabulary.SEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleTest {
  private static final boolean T = true;
  private static final boolean F = false;

  @Test
  void textCountsEveryTokenAfterBos() {
    Example e = Example.text("ab", 100);
    assertArrayEquals(new int[] {BOS, 'a', 'b', EOS}, e.ids());
    assertArrayEquals(new boolean[] {F, T, T, T}, e.mask());
  }

  @Test
  void promptCompletionCountsOnlyCompletionAndEos() {
    Example e = Example.promptCompletion("ab", "c", 100);
    assertArrayEquals(new int[] {BOS, 'a', 'b', SEP, 'c', EOS}, e.ids());
    assertArrayEquals(new boolean[] {F, F, F, F, T, T}, e.mask());
    assertEquals("c", e.targetText());
  }

  @Test
  void chatCountsOnlyBotContentAndEos() {
    Example e =
        Example.chat(
            List.of(
                new ChatTurn(ChatTurn.Role.SYSTEM, "s"),
                new ChatTurn(ChatTurn.Role.HUMAN, "q"),
                new ChatTurn(ChatTurn.Role.BOT, "a")),
            100);
    int[] ids = e.ids();
    boolean[] mask = e.mask();
    // BOS "system\n" s SEP "human\n" q SEP "bot\n" a EOS
    assertEquals(1 + 7 + 1 + 1 + 6 + 1 + 1 + 4 + 1 + 1, ids.length);
    assertEquals("system\ns", ByteVocabulary.decode(java.util.Arrays.copyOfRange(ids, 0, 9)));
    assertEquals(SEP, ids[9]);
    assertEquals(SEP, ids[17]);
    assertEquals("bot\n", ByteVocabulary.decode(java.util.Arrays.copyOfRange(ids, 18, 22)));
    assertEquals('a', ids[22]);
    assertEquals(EOS, ids[23]);
    for (int i = 0; i < ids.length; i++) {
      assertEquals(i == 22 || i == 23, mask[i], "position " + i);
    }
    assertEquals("a", e.targetText());
  }

  @Test
  void chatWithTwoBotTurnsMasksBoth() {
    Example e =
        Example.chat(
            List.of(
                new ChatTurn(ChatTurn.Role.HUMAN, "1"), new ChatTurn(ChatTurn.Role.BOT, "x"),
                new ChatTurn(ChatTurn.Role.HUMAN, "2"), new ChatTurn(ChatTurn.Role.BOT, "yz")),
            100);
    assertEquals("xyz", e.targetText());
    assertEquals(5, countTargets(e)); // x EOS y z EOS
  }

  @Test
  void chatWithoutBotTurnIsRejected() {
    assertThrows(
        DataException.class,
        () -> Example.chat(List.of(new ChatTurn(ChatTurn.Role.HUMAN, "q")), 100));
  }

  @Test
  void textTruncationKeepsTheStart() {
    Example e = Example.text("abcdef", 4);
    assertArrayEquals(new int[] {BOS, 'a', 'b', 'c'}, e.ids());
  }

  @Test
  void promptCompletionTruncationKeepsPromptEndAndCompletionStart() {
    // budget 8 - 2 = 6: completion gets max(3, 6 - 10) = 3 tokens, the prompt the other 3
    Example e = Example.promptCompletion("0123456789", "abcdef", 8);
    assertArrayEquals(new int[] {BOS, '7', '8', '9', SEP, 'a', 'b', 'c'}, e.ids());
    assertArrayEquals(new boolean[] {F, F, F, F, F, T, T, T}, e.mask());
    // a short prompt leaves more room to the completion
    Example shortPrompt = Example.promptCompletion("p", "abcdefgh", 8);
    assertArrayEquals(new int[] {BOS, 'p', SEP, 'a', 'b', 'c', 'd', 'e'}, shortPrompt.ids());
    // a short completion keeps its EOS, the prompt takes the rest
    Example shortCompletion = Example.promptCompletion("0123456789", "a", 8);
    assertArrayEquals(new int[] {BOS, '6', '7', '8', '9', SEP, 'a', EOS}, shortCompletion.ids());
  }

  @Test
  void chatTruncatedBeforeAnyBotTokenIsRejected() {
    DataException e =
        assertThrows(
            DataException.class,
            () ->
                Example.chat(
                    List.of(
                        new ChatTurn(ChatTurn.Role.HUMAN, "a long question"),
                        new ChatTurn(ChatTurn.Role.BOT, "x")),
                    10));
    assertEquals("no loss token left within the maximum length 10", e.getMessage());
  }

  @Test
  void emptyTextOrCompletionIsRejectedAndEqualityIsByContent() {
    assertThrows(DataException.class, () -> Example.text("", 10));
    assertThrows(DataException.class, () -> Example.promptCompletion("p", "", 10));
    assertEquals(Example.text("ab", 10), Example.text("ab", 10));
    assertEquals(Example.text("ab", 10).hashCode(), Example.text("ab", 10).hashCode());
  }

  private static int countTargets(Example e) {
    int n = 0;
    for (int i = 0; i < e.length(); i++) {
      n += e.counts(i) ? 1 : 0;
    }
    return n;
  }
}
