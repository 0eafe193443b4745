package dev.coba.core;

import static dev.coba.core.testing.RandomHistories.METHODS;

import dev.coba.core.coba.CoBaHistories;
import dev.coba.core.coba.CoBaMethod;
import dev.coba.core.testing.MethodContract;
import dev.coba.core.testing.RandomHistories;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Every method of {@link Methods#all()} under the method contract ({@link MethodContract}). A
 * method without an entry below runs with the defaults of {@link Profile#of(MethodDescriptor)}:
 * a new method needs none. An entry says what a method promises beyond the defaults (scale
 * freedom), the histories it reads, and the parameters it runs with, the extremes of its
 * valid-weights runs apart.
 */
class MethodsContractTest extends MethodContract {

  @Override
  protected Stream<Profile> profiles() {
    return Methods.all().stream().flatMap(d -> profiles(Profile.of(d)));
  }

  private static Stream<Profile> profiles(Profile p) {
    return switch (p.method()) {
      case "coba" -> Stream.of(coba(p, CoBaMethod.PAPER), coba(p, CoBaMethod.MFTCODER));
      // tiny temperatures make weights underflow: they are floored, never 0
      case "dwa" ->
          Stream.of(
              p.withParams(
                      rnd ->
                          oneOf(
                              rnd,
                              Map.of(),
                              Map.of("temperature", 0.3),
                              Map.of("temperature", 2.0)))
                  .withExtremeParams(
                      rnd -> Map.of("temperature", oneOf(rnd, 1e-6, 1e-3, 2.0, 1e6))));
      case "lbtw" ->
          Stream.of(
              p.withScaleFreedom()
                  .withParams(rnd -> oneOf(rnd, Map.of(), Map.of("b", 0.7)))
                  .withExtremeParams(rnd -> Map.of("b", 10 * rnd.nextDouble())));
      // long histories: a large learning rate drives the logits far apart
      case "famo" ->
          Stream.of(
              p.withHistories(rnd -> METHODS.history(rnd, 1 + rnd.nextInt(8), 1 + rnd.nextInt(300)))
                  .withParams(rnd -> oneOf(rnd, Map.of(), Map.of("lr", 0.05)))
                  .withExtremeParams(
                      rnd -> Map.of("lr", 10 * rnd.nextDouble(), "weightDecay", 0.0)));
      case "gradnorm" ->
          Stream.of(
              p.withParams(rnd -> oneOf(rnd, Map.of(), Map.of("lr", 0.01)))
                  .withExtremeParams(rnd -> Map.of("lr", 10 * rnd.nextDouble())));
      case "uncertainty" -> Stream.of(p.withExtremeParams(rnd -> Map.of("epsilon", 1e-12)));
      // up to 30 tasks; the noise is keyed by the task's name, so it permutes exactly
      case "rlw" ->
          Stream.of(
              p.withHistories(
                      rnd ->
                          rnd.nextBoolean()
                              ? RandomHistories.emptyReports(
                                  RandomHistories.names(1 + rnd.nextInt(30)), 1 + rnd.nextInt(100))
                              : METHODS.history(rnd, 1 + rnd.nextInt(8), 1 + rnd.nextInt(100)))
                  .withParams(
                      rnd ->
                          Map.of(
                              "seed",
                              rnd.nextBoolean() ? rnd.nextInt(1000) : rnd.nextLong() >> 11)));
      case "igbv1" ->
          Stream.of(
              p.withScaleFreedom().withParams(rnd -> Map.of("baseWindow", 1 + rnd.nextInt(20))));
      default -> Stream.of(p);
    };
  }

  private static Profile coba(Profile p, String variant) {
    // mftcoder takes a report naming no task: every task absent, MFTCoder's all-zero column
    Profile q = variant.equals(CoBaMethod.MFTCODER) ? p.acceptingEmptyReports() : p;
    return q.named("coba " + variant)
        .withScaleFreedom()
        .withRuns(300)
        .withHistories(rnd -> CoBaHistories.draw(rnd, variant))
        .withParams(rnd -> coba(variant, 3, 5 + rnd.nextInt(10)))
        .withExtremeParams(rnd -> coba(variant, 3 + rnd.nextInt(5), 8 + rnd.nextInt(10)));
  }

  private static Map<String, Object> coba(String variant, int warmup, int history) {
    return Map.of("variant", variant, "warmupSteps", warmup, "historyLength", history);
  }

  @SafeVarargs
  private static <T> T oneOf(Random rnd, T... choices) {
    return choices[rnd.nextInt(choices.length)];
  }
}
