package dev.coba.sidecar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plateau rule of the benchmarks' warm-up, on rounds computed by hand; the rates are those
 * of a real `bench http` warm-up (2026-11-30, journal on disk, 64 clients, 5 s rounds).
 */
class WarmupTest {
  private static final List<Double> MEASURED =
      List.of(
          3659.0, 3927.0, 5058.0, 5222.0, 5505.0, 8033.0, 6758.0, 7248.0, 7263.0, 5576.0, 6542.0,
          6998.0, 5737.0, 6511.0, 5446.0);

  @Test
  void theMeasuredClimbEndsOnAPlateauAtTheFifteenthRound() {
    // rounds 1-6: means 4,214.7 and 6,253.3, 48 % apart: climbing
    assertFalse(Warmup.plateau(MEASURED.subList(0, 6)));
    // rounds 4-9: 6,253.3 and 7,089.7, 13.4 % apart
    assertFalse(Warmup.plateau(MEASURED.subList(0, 9)));
    // rounds 7-12: 7,089.7 and 6,372.0, 10.1 % apart: just outside
    assertFalse(Warmup.plateau(MEASURED.subList(0, 12)));
    // rounds 10-15: 6,372.0 and 5,898.0, 7.4 % apart: a plateau
    assertTrue(Warmup.plateau(MEASURED));
  }

  @Test
  void onlyTheLastSixRoundsCount() {
    assertTrue(Warmup.plateau(List.of(1.0, 100.0, 100.0, 100.0, 105.0, 95.0, 100.0)));
    // 100 against 111: 11 % apart
    assertFalse(Warmup.plateau(List.of(100.0, 100.0, 100.0, 111.0, 111.0, 111.0)));
    // a latency that falls counts like a rate that climbs: 300 against 400 is 25 % apart
    assertFalse(Warmup.plateau(List.of(400.0, 400.0, 400.0, 300.0, 300.0, 300.0)));
  }

  @Test
  void fewerThanSixRoundsOrBrokenRoundsAreNoPlateau() {
    assertFalse(Warmup.plateau(List.of()));
    assertFalse(Warmup.plateau(List.of(100.0, 100.0, 100.0, 100.0, 100.0)));
    assertFalse(
        Warmup.plateau(List.of(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)), "no request answered is no plateau");
    assertFalse(Warmup.plateau(List.of(100.0, 100.0, 100.0, 100.0, Double.NaN, 100.0)));
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
    for (int i = 0; i < 6; i++) {
      p.round(100);
    }
    assertTrue(p.steady());
    assertFalse(p.done(), "a plateau before the least does not end the warm-up");
    assertEquals(6, p.rounds().size());
  }

  @Test
  void aPlateauPastTheLeastEndsIt() {
    Warmup.Progress p = new Warmup(0, 120_000).start();
    for (double r : List.of(50.0, 60.0, 70.0, 100.0, 100.0)) {
      p.round(r);
      assertFalse(p.done());
    }
    p.round(100);
    assertFalse(p.done(), "means 60 and 100: still climbing");
    for (double r : List.of(101.0, 99.0)) {
      p.round(r);
      assertFalse(p.done());
    }
    p.round(100);
    assertTrue(p.done(), "means 100 and 100");
  }

  @Test
  void aMostBelowTheLeastIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Warmup(10, 5));
    assertThrows(IllegalArgumentException.class, () -> new Warmup(-1, 5));
  }
}
