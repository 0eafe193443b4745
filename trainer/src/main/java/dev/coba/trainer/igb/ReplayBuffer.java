package dev.coba.trainer.igb;

import dev.coba.core.InvalidInputException;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import java.util.Arrays;

/**
 * The agent's experience: a ring of at most {@code capacity} transitions
 * {@code (state, action, reward, next state)}, each one row of {@code 3K + 1} numbers; once full,
 * the oldest is overwritten. Batches are drawn uniformly with replacement.
 */
final class ReplayBuffer {
  private final int k;
  private final double[][] rows;
  private int next;
  private int size;

  ReplayBuffer(int k, int capacity) {
    this.k = k;
    this.rows = new double[capacity][];
  }

  int size() {
    return size;
  }

  void add(double[] state, double[] action, double reward, double[] nextState) {
    double[] row = new double[3 * k + 1];
    System.arraycopy(state, 0, row, 0, k);
    System.arraycopy(action, 0, row, k, k);
    row[2 * k] = reward;
    System.arraycopy(nextState, 0, row, 2 * k + 1, k);
    rows[next] = row;
    next = (next + 1) % rows.length;
    size = Math.min(size + 1, rows.length);
  }

  /** A batch of {@code n} transitions, drawn with {@code rng}. */
  Batch sample(int n, CounterRng rng) {
    Batch b = new Batch(n, k);
    for (int j = 0; j < n; j++) {
      double[] row = rows[rng.nextInt(size)];
      System.arraycopy(row, 0, b.states, j * k, k);
      System.arraycopy(row, k, b.actions, j * k, k);
      b.rewards[j] = row[2 * k];
      System.arraycopy(row, 2 * k + 1, b.nextStates, j * k, k);
    }
    return b;
  }

  void write(StateWriter out) {
    double[][] stored = new double[size][];
    System.arraycopy(rows, 0, stored, 0, size);
    out.put("buffer", stored).put("bufferNext", next);
  }

  void read(StateReader in) {
    double[][] stored = in.getDoubleRows("buffer");
    if (stored.length > rows.length) {
      throw new InvalidInputException(
          "state.data.buffer",
          "the buffer holds "
              + stored.length
              + " transitions, more than bufferSize "
              + rows.length);
    }
    for (double[] row : stored) {
      if (row.length != 3 * k + 1) {
        throw new InvalidInputException(
            "state.data.buffer",
            "a transition has " + row.length + " values, expected " + (3 * k + 1));
      }
    }
    long nextRow = in.getLong("bufferNext");
    if (nextRow < 0
        || nextRow >= rows.length
        || (stored.length < rows.length && nextRow != stored.length)) {
      throw new InvalidInputException(
          "state.data.bufferNext",
          "bufferNext "
              + nextRow
              + " does not fit a buffer of "
              + stored.length
              + " of "
              + rows.length
              + " transitions");
    }
    Arrays.fill(rows, null);
    System.arraycopy(stored, 0, rows, 0, stored.length);
    size = stored.length;
    next = (int) nextRow;
  }

  /** Transitions in row-major arrays, ready to become {@code (n, K)} and {@code (n, 1)} tensors. */
  static final class Batch {
    final int n;
    final double[] states;
    final double[] actions;
    final double[] rewards;
    final double[] nextStates;

    Batch(int n, int k) {
      this.n = n;
      this.states = new double[n * k];
      this.actions = new double[n * k];
      this.rewards = new double[n];
      this.nextStates = new double[n * k];
    }
  }
}
