package dev.coba.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One training sequence: token ids and a loss mask of the same length; {@code mask[i]} is true
 * where token {@code i} is a loss target (predicted from the tokens before it).
 *
 * <p>Layouts ({@code [..]} = loss target):
 * <ul>
 * <li>text: {@code BOS [text bytes] [EOS]};
 * <li>prompt/completion: {@code BOS prompt SEP [completion] [EOS]};
 * <li>chat: {@code BOS} then per turn {@code "role\n" content} followed by {@code SEP} for a
 *     system or human turn, and {@code "bot\n" [content] [EOS]} for a bot turn.
 * </ul>
 *
 * <p>Truncation to {@code maxLength} tokens: a text and a chat keep their start; a
 * prompt/completion keeps {@code BOS} and {@code SEP}, the start of the completion (with its
 * {@code EOS} when it fits) and the end of the prompt; the completion gets up to half of the
 * remaining budget, more when the prompt is shorter. An example left without any loss target
 * is a {@link DataException}.
 */
public record Example(int[] ids, boolean[] mask) {

  public Example {
    if (ids.length == 0 || ids.length != mask.length) {
      throw new IllegalArgumentException("ids and mask must be non-empty and of the same length");
    }
    ids = ids.clone();
    mask = mask.clone();
  }

  /** A plain text: every token after BOS counts. */
  public static Example text(String text, int maxLength) {
    checkMaxLength(maxLength);
    if (text.isEmpty()) {
      throw new DataException("\"text\" is empty");
    }
    Builder b = new Builder();
    b.add(ByteVocabulary.BOS, false);
    b.add(ByteVocabulary.encode(text), true);
    b.add(ByteVocabulary.EOS, true);
    return b.build(maxLength);
  }

  /** A prompt and its completion: only the completion and its EOS count. */
  public static Example promptCompletion(String prompt, String completion, int maxLength) {
    checkMaxLength(maxLength);
    if (completion.isEmpty()) {
      throw new DataException("\"completion\" is empty");
    }
    int[] p = ByteVocabulary.encode(prompt);
    int[] completionBytes = ByteVocabulary.encode(completion);
    int[] c = Arrays.copyOf(completionBytes, completionBytes.length + 1);
    c[completionBytes.length] = ByteVocabulary.EOS;
    int budget = maxLength - 2;
    int keepC = Math.min(c.length, Math.max((budget + 1) / 2, budget - p.length));
    int keepP = Math.min(p.length, budget - keepC);
    Builder b = new Builder();
    b.add(ByteVocabulary.BOS, false);
    b.add(Arrays.copyOfRange(p, p.length - keepP, p.length), false);
    b.add(ByteVocabulary.SEP, false);
    b.add(Arrays.copyOf(c, keepC), true);
    return b.build(maxLength);
  }

  /** A conversation: only the content and EOS of bot (assistant) turns count. */
  public static Example chat(List<ChatTurn> turns, int maxLength) {
    checkMaxLength(maxLength);
    if (turns.stream().noneMatch(t -> t.role() == ChatTurn.Role.BOT)) {
      throw new DataException("\"chat_rounds\" has no bot or assistant turn");
    }
    Builder b = new Builder();
    b.add(ByteVocabulary.BOS, false);
    for (ChatTurn turn : turns) {
      boolean bot = turn.role() == ChatTurn.Role.BOT;
      b.add(ByteVocabulary.encode(turn.role().header()), false);
      b.add(ByteVocabulary.encode(turn.content()), bot);
      b.add(bot ? ByteVocabulary.EOS : ByteVocabulary.SEP, bot);
    }
    return b.build(maxLength);
  }

  public int length() {
    return ids.length;
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public boolean[] mask() {
    return mask.clone();
  }

  /** Token {@code i}, without copying. */
  public int id(int i) {
    return ids[i];
  }

  /** Whether token {@code i} is a loss target, without copying. */
  public boolean counts(int i) {
    return mask[i];
  }

  /** The text of the loss-target tokens (e.g. the completion), special tokens skipped. */
  public String targetText() {
    int[] t = new int[ids.length];
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      if (mask[i]) {
        t[n++] = ids[i];
      }
    }
    return ByteVocabulary.decode(Arrays.copyOf(t, n));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Example e && Arrays.equals(ids, e.ids) && Arrays.equals(mask, e.mask);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(mask);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Example[");
    for (int i = 0; i < ids.length; i++) {
      s.append(mask[i] ? "[" : "").append(ByteVocabulary.name(ids[i])).append(mask[i] ? "]" : "");
    }
    return s.append(']').toString();
  }

  private static void checkMaxLength(int maxLength) {
    if (maxLength < 4) {
      throw new IllegalArgumentException("maxLength must be at least 4, got " + maxLength);
    }
  }

  /** Accumulates tokens, then cuts to the maximum length keeping the start. */
  private static final class Builder {
    private final List<Integer> ids = new ArrayList<>();
    private final List<Boolean> mask = new ArrayList<>();

    void add(int id, boolean counts) {
      ids.add(id);
      mask.add(counts);
    }

    void add(int[] tokens, boolean counts) {
      for (int t : tokens) {
        add(t, counts);
      }
    }

    Example build(int maxLength) {
      int n = Math.min(ids.size(), maxLength);
      int[] i = new int[n];
      boolean[] m = new boolean[n];
      boolean any = false;
      for (int k = 0; k < n; k++) {
        i[k] = ids.get(k);
        m[k] = mask.get(k);
        any |= m[k];
      }
      if (!any) {
        throw new DataException("no loss token left within the maximum length " + maxLength);
      }
      return new Example(i, m);
    }
  }
}
