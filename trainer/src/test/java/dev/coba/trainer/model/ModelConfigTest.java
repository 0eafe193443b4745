package dev.coba.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ModelConfigTest {
  @Test
  void rejectsBadSizes() {
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(0, 32, 2, 40, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(1, 0, 1, 40, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(1, 32, 0, 40, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(1, 30, 4, 40, 1));
    assertThrows(IllegalArgumentException.class, () -> new ModelConfig(1, 32, 2, 1, 1));
  }

  @Test
  void countsParametersAsTheSpikeDid() {
    // DJL-NOTES: d=128, 2 layers, vocab 260, 64 positions -> 471,552 parameters
    assertEquals(471_552L, new ModelConfig(2, 128, 4, 64, 0).parameterCount(260));
  }

  @Test
  void parsesObjectives() {
    assertEquals(Objective.LINEAR, Objective.parse("linear"));
    assertEquals(Objective.LOG, Objective.parse("log"));
    assertThrows(IllegalArgumentException.class, () -> Objective.parse("sum"));
  }
}
