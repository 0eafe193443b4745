package dev.coba.trainer.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coba.trainer.results.ValidationPoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossRatiosTest {
  private static final List<ValidationPoint> VALIDATION =
      List.of(
          new ValidationPoint(0, Map.of("a", 2.0, "b", 4.0)),
          new ValidationPoint(10, Map.of("a", 1.0, "b", 3.0)),
          new ValidationPoint(20, Map.of("a", 1.5)));

  @Test
  void ratiosDivideByTheFirstPointAndMissingLossesAreNaN() {
    assertArrayEquals(new double[] {1.0, 0.5, 0.75}, LossRatios.ratios(VALIDATION, "a"));
    assertArrayEquals(new double[] {1.0, 0.75, Double.NaN}, LossRatios.ratios(VALIDATION, "b"));
    assertArrayEquals(new double[] {0, 10, 20}, LossRatios.steps(VALIDATION));
  }

  @Test
  void meanRatiosAverageOverTasks() {
    assertArrayEquals(
        new double[] {1.0, 0.625, Double.NaN},
        LossRatios.meanRatios(VALIDATION, List.of("a", "b")));
    assertArrayEquals(
        new double[] {Double.NaN, Double.NaN, Double.NaN},
        LossRatios.meanRatios(VALIDATION, List.of()));
  }

  @Test
  void minMaxNormalisationByHand() {
    // min 0.5, max 1.0, range 0.5: (1.0-0.5)/0.5 = 1, (0.5-0.5)/0.5 = 0, (0.75-0.5)/0.5 = 0.5
    assertArrayEquals(
        new double[] {1.0, 0.0, 0.5}, LossRatios.minMaxNormalise(new double[] {1.0, 0.5, 0.75}));
    // (0.9-0.6)/0.4 = 0.75 and (1.0-0.6)/0.4 = 1, up to rounding
    double[] normalised = LossRatios.minMaxNormalise(new double[] {1.0, 0.9, 0.6});
    assertEquals(1.0, normalised[0], 1e-12);
    assertEquals(0.75, normalised[1], 1e-12);
    assertEquals(0.0, normalised[2], 1e-12);
  }

  @Test
  void normalisationSkipsNaNAndMapsFlatCurvesToZero() {
    assertArrayEquals(
        new double[] {1.0, Double.NaN, 0.0},
        LossRatios.minMaxNormalise(new double[] {3.0, Double.NaN, 1.0}));
    assertArrayEquals(new double[] {0.0, 0.0}, LossRatios.minMaxNormalise(new double[] {0.7, 0.7}));
    assertArrayEquals(new double[] {0.0}, LossRatios.minMaxNormalise(new double[] {0.7}));
    assertArrayEquals(
        new double[] {Double.NaN}, LossRatios.minMaxNormalise(new double[] {Double.NaN}));
    assertArrayEquals(new double[0], LossRatios.minMaxNormalise(new double[0]));
    assertArrayEquals(new double[0], LossRatios.ratios(List.of(), "a"));
  }
}
