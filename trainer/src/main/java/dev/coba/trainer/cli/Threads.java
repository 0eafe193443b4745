package dev.coba.trainer.cli;

/**
 * libtorch's intra-op thread count, set before the engine loads. With more than one thread a
 * parallel operation's floating-point sums depend on how the machine schedules the threads:
 * measured here, two identical 100-step runs on a busy 2-core machine differed in the third
 * digit of their test loss with 2 threads and were bit-identical with 1 (and equal to an idle
 * 2-thread run). The 1-thread step cost about the same on this model size.
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
