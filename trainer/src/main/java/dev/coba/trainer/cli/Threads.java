package dev.coba.trainer.cli;

/**
 * libtorch's intra-op thread count, set before the engine loads. One by default: with two on
 * this 2-core machine a step of the default model takes 0.027 s when the machine is idle but
 * 0.27 s to 2 s as soon as anything else runs (libtorch's threads wait for each other by
 * spinning), while one thread takes 0.039 s either way. More threads pay on larger models and
 * machines of one's own.
 */
final class Threads {
  private Threads() {}

  static void use(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
    }
    // a -D on the java command line wins
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    }
  }
}
