package dev.coba.trainer.model;

import dev.coba.trainer.data.ByteVocabulary;

/**
 * Per task, how well the model answers: exact match and next-token accuracy, from the model's
 * most likely next token at every position of the reference (teacher forcing).
 *
 * <p>Exact match is the share of examples whose every target token (the completion and its EOS,
 * or a chat's bot turns) is the model's most likely next token. That is the exact match of the
 * greedy-decoded completion: greedy decoding feeds back its own tokens, which equal the
 * reference's for as long as they are right, so it first differs from the reference exactly
 * where teacher forcing first predicts a wrong token; one forward pass gives it for a whole batch
 * instead of one pass per generated token (checked against real decoding in the tests).
 *
 * <p>A task with a plain {@code {"text"}} example has no answer to match: its figure is the
 * next-token accuracy, the share of its target tokens predicted right, which every task gets too.
 */
public final class AnswerScores {
  private final long[] examples;
  private final long[] exact;
  private final long[] targets;
  private final long[] correct;
  private final boolean[] text;

  public AnswerScores(int tasks) {
    examples = new long[tasks];
    exact = new long[tasks];
    targets = new long[tasks];
    correct = new long[tasks];
    text = new boolean[tasks];
  }

  /**
   * Scores one example of {@code task}: {@code ids} and {@code mask} as in a {@link
   * dev.coba.trainer.data.Batch} row (padding allowed), {@code predicted[i]} the model's most
   * likely token after {@code ids[0..i]} (so it is compared with {@code ids[i + 1]}).
   */
  public void add(int task, int[] ids, boolean[] mask, long[] predicted) {
    if (predicted.length < ids.length - 1) {
      throw new IllegalArgumentException(
          predicted.length + " predictions for " + ids.length + " tokens");
    }
    int rowTargets = 0;
    int rowCorrect = 0;
    boolean hasPrompt = false;
    for (int i = 1; i < ids.length; i++) {
      if (mask[i]) {
        rowTargets++;
        if (predicted[i - 1] == ids[i]) {
          rowCorrect++;
        }
      } else if (ids[i] != ByteVocabulary.PAD) {
        hasPrompt =
            true; // a token after BOS the model is given, not asked: a prompt or a human turn
      }
    }
    examples[task]++;
    targets[task] += rowTargets;
    correct[task] += rowCorrect;
    if (rowCorrect == rowTargets) {
      exact[task]++;
    }
    text[task] |= !hasPrompt;
  }

  /** The share of {@code task}'s examples answered exactly; null for a task of plain texts (or no examples). */
  public Double exactMatch(int task) {
    return text[task] || examples[task] == 0 ? null : (double) exact[task] / examples[task];
  }

  /** The share of {@code task}'s target tokens that were the model's most likely next token (NaN without any). */
  public double nextTokenAccuracy(int task) {
    return targets[task] == 0 ? Double.NaN : (double) correct[task] / targets[task];
  }

  /** Whether {@code task} has a plain-text example, so that it is judged by next-token accuracy. */
  public boolean isText(int task) {
    return text[task];
  }
}
