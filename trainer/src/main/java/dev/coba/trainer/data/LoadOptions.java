package dev.coba.trainer.data;

/**
 * How {@link DatasetLoader} reads a folder: the maximum sequence length in tokens (longer
 * examples are cut, see {@link Example}), the train and validation ratios (test gets the rest)
 * used when a task comes as one file, and the seed of that split.
 */
public record LoadOptions(int maxLength, double trainRatio, double validRatio, long seed) {

  public static final int DEFAULT_MAX_LENGTH = 256;

  public LoadOptions {
    if (maxLength < 4) {
      throw new IllegalArgumentException("--max-tokens must be at least 4, got " + maxLength);
    }
    if (!(trainRatio > 0) || !(validRatio > 0) || !(trainRatio + validRatio < 1)) {
      throw new IllegalArgumentException(
          "ratios must be positive and trainRatio + validRatio < 1, got "
              + trainRatio
              + " and "
              + validRatio);
    }
  }

  /** Max length 256, split 0.8/0.1/0.1, seed 0. */
  public static LoadOptions defaults() {
    return new LoadOptions(DEFAULT_MAX_LENGTH, 0.8, 0.1, 0);
  }

  public double testRatio() {
    return 1 - trainRatio - validRatio;
  }

  public LoadOptions withMaxLength(int v) {
    return new LoadOptions(v, trainRatio, validRatio, seed);
  }

  public LoadOptions withRatios(double train, double valid) {
    return new LoadOptions(maxLength, train, valid, seed);
  }

  public LoadOptions withSeed(long v) {
    return new LoadOptions(maxLength, trainRatio, validRatio, v);
  }
}
