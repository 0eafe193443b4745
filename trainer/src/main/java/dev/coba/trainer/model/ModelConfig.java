package dev.coba.trainer.model;

/**
 * The size of a {@link CausalLm}: {@code layers} transformer blocks of width {@code dModel} with
 * {@code heads} attention heads, positions for sequences of up to {@code maxLength} input tokens,
 * and the {@code seed} of the parameter initialisation (so two models of one config are equal).
 */
public record ModelConfig(int layers, int dModel, int heads, int maxLength, long seed) {

  public ModelConfig {
    if (layers < 1) {
      throw new IllegalArgumentException("layers must be at least 1, got " + layers);
    }
    if (dModel < 1 || heads < 1) {
      throw new IllegalArgumentException(
          "dModel and heads must be at least 1, got " + dModel + " and " + heads);
    }
    // the heads split the width evenly: each attends over dModel / heads channels
    if (dModel % heads != 0) {
      throw new IllegalArgumentException(
          "dModel (" + dModel + ") must be a multiple of heads (" + heads + ")");
    }
    // one input token predicts the next: a useful sequence has at least two
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
    }
  }

  /** The number of trainable weights (embeddings, blocks, final norm, head) for a vocabulary of {@code vocab}. */
  public long parameterCount(int vocab) {
    long d = dModel;
    long perLayer =
        2 * d + (d * 3 * d + 3 * d) + (d * d + d) + 2 * d + (d * 4 * d + 4 * d) + (4 * d * d + d);
    return vocab * d + (long) maxLength * d + layers * perLayer + 2 * d + d * vocab;
  }
}
