package dev.coba.trainer.data;

/**
 * A padded batch: row {@code r} holds an example's ids (then {@link ByteVocabulary#PAD}), its
 * loss mask (false on padding) and the index of its task. All rows have the same length.
 * The arrays are shared, not copied: treat them as read-only (and compare with {@code Arrays.deepEquals}).
 */
public record Batch(int[][] ids, boolean[][] mask, int[] taskOfRow) {
  public int rows() {
    return ids.length;
  }

  public int length() {
    return ids.length == 0 ? 0 : ids[0].length;
  }
}
