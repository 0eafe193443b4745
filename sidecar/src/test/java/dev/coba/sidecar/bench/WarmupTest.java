package dev.coba.sidecar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The plateau rule of the benchmarks' warm-up, on rounds computed by hand. */
class WarmupTest {
  @Test
  void threeRoundsWithin3PercentAreAPlateau() {
    // 6,800 / 6,700 = 1.0149; 6,900 / 6,700 = 1.0299: within 3 %
    assertTrue(Warmup.plateau(List.of(3_500.0, 5_200.0, 6_700.0, 6_800.0, 6_900.0)));
    // only the last three count: the climb before them does not matter
    assertTrue(Warmup.plateau(List.of(1.0, 100.0, 100.0, 101.0)));
  }

  @Test
  void aClimbIsNotAPlateau() {
    // 6,910 / 6,700 = 1.0313: just past 3 %
    assertFalse(Warmup.plateau(List.of(6_700.0, 6_800.0, 6_910.0)));
    // a JIT still catching up: each round some 10 % faster
    assertFalse(Warmup.plateau(List.of(3_500.0, 3_900.0, 4_300.0)));
    // a latency that drops is a climb too
    assertFalse(Warmup.plateau(List.of(400.0, 350.0, 300.0)));
  }

  @Test
  void fewerThanThreeRoundsOrEmptyRoundsAreNoPlateau() {
    assertFalse(Warmup.plateau(List.of()));
    assertFalse(Warmup.plateau(List.of(100.0, 100.0)));
    assertFalse(Warmup.plateau(List.of(0.0, 0.0, 0.0)), "no request answered is no plateau");
    assertFalse(Warmup.plateau(List.of(100.0, Double.NaN, 100.0)));
  }

  @Test
  void aZeroWarmupEndsAtOnceAndClaimsNoPlateau() {
    Warmup.Progress p = Warmup.fixed(0).start();
    assertTrue(p.done());
    assertFalse(p.steady());
  }

  @Test
  void theLeastHoldsEvenOnAPlateau() {
    Warmup.Progress p = new Warmup(60_000, 120_000).start();
    p.round(100);
    p.round(100);
    p.round(100);
    assertTrue(p.steady());
    assertFalse(p.done(), "a plateau before the least does not end the warm-up");
    assertEquals(List.of(100.0, 100.0, 100.0), p.rounds());
  }

  @Test
  void aPlateauPastTheLeastEndsIt() {
    Warmup.Progress p = new Warmup(0, 120_000).start();
    p.round(100);
    p.round(150);
    assertFalse(p.done());
    p.round(149);
    assertFalse(p.done(), "100, 150, 149 differ by 50 %");
    p.round(151);
    assertTrue(p.done(), "150, 149, 151 agree within 3 %");
  }

  @Test
  void aMostBelowTheLeastIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Warmup(10, 5));
    assertThrows(IllegalArgumentException.class, () -> new Warmup(-1, 5));
  }
}
