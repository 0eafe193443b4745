package dev.coba.trainer.igb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coba.core.InvalidInputException;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {
  /** Transition t: state (t, t), action (10t, 10t), reward t, next state (t + 1, t + 1). */
  private static void add(ReplayBuffer b, double t) {
    b.add(new double[] {t, t}, new double[] {10 * t, 10 * t}, t, new double[] {t + 1, t + 1});
  }

  @Test
  void aFullBufferOverwritesTheOldest() {
    ReplayBuffer b = new ReplayBuffer(2, 3);
    for (int t = 1; t <= 5; t++) {
      add(b, t);
    }
    assertEquals(3, b.size());
    Set<Double> rewards = new HashSet<>();
    ReplayBuffer.Batch batch = b.sample(200, new CounterRng(1));
    for (int j = 0; j < batch.n; j++) {
      double t = batch.rewards[j];
      rewards.add(t);
      assertArrayEquals(
          new double[] {t, t}, new double[] {batch.states[2 * j], batch.states[2 * j + 1]}, 0);
      assertEquals(10 * t, batch.actions[2 * j]);
      assertEquals(t + 1, batch.nextStates[2 * j + 1]);
    }
    assertEquals(Set.of(3.0, 4.0, 5.0), rewards);
  }

  @Test
  void writtenAndReadItSamplesTheSameBatches() {
    ReplayBuffer b = new ReplayBuffer(2, 4);
    for (int t = 1; t <= 6; t++) {
      add(b, t);
    }
    StateWriter out = new StateWriter();
    b.write(out);
    ReplayBuffer c = new ReplayBuffer(2, 4);
    c.read(new StateReader(out.build()));
    add(b, 7);
    add(c, 7);
    assertArrayEquals(
        b.sample(50, new CounterRng(3)).states, c.sample(50, new CounterRng(3)).states, 0);
  }

  @Test
  void aStateOfAnotherShapeIsRefused() {
    ReplayBuffer b = new ReplayBuffer(2, 4);
    for (int t = 1; t <= 3; t++) {
      add(b, t);
    }
    StateWriter out = new StateWriter();
    b.write(out);
    assertThrows(
        InvalidInputException.class,
        () -> new ReplayBuffer(3, 4).read(new StateReader(out.build())));
    assertThrows(
        InvalidInputException.class,
        () -> new ReplayBuffer(2, 2).read(new StateReader(out.build())));
  }
}
