package dev.coba.trainer.igb;

/**
 * A counter-based random generator (SplitMix64's mixing of {@code seed + n * golden gamma}):
 * its whole state is the seed and a counter, so a balancer can export it and continue the same
 * sequence after a restore, which {@link java.util.SplittableRandom} does not allow. Gaussians
 * come from Box-Muller with {@link StrictMath}, one pair of uniforms each and no cached spare,
 * so the sequence is the same on every JVM.
 */
final class CounterRng {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private final long seed;
  private long counter;

  CounterRng(long seed) {
    this.seed = seed;
  }

  long counter() {
    return counter;
  }

  void setCounter(long counter) {
    this.counter = counter;
  }

  long nextLong() {
    long z = seed + (++counter) * GOLDEN_GAMMA;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound), by the multiply-shift reduction of the high 32 bits. */
  int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Standard normal. */
  double nextGaussian() {
    double u1 = 1.0 - nextDouble(); // in (0, 1]: the log is finite
    double u2 = nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /** {@code n} standard normals. */
  double[] gaussians(int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = nextGaussian();
    }
    return out;
  }

  /** Uniform in [-bound, bound). */
  double nextSymmetric(double bound) {
    return (2.0 * nextDouble() - 1.0) * bound;
  }
}
