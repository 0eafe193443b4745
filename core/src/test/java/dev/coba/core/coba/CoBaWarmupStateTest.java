package dev.coba.core.coba;

import static dev.coba.core.testing.BalancerAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The warm-up count in the exported state ({@code warmupReports}: the reports applied, counted
 * up to warmupSteps), and states written before it existed: loaded when the count follows
 * exactly from what they hold, refused naming the entry otherwise.
 */
class CoBaWarmupStateTest {
  private static final List<String> TASKS = List.of("a", "b");
  private static final Map<String, Double> INIT = Map.of("a", 2.0, "b", 4.0);

  private static Balancer coba(String variant, int warmup, int history, Map<String, Double> init) {
    return Methods.create(
        "coba",
        TASKS,
        Map.of("variant", variant, "warmupSteps", warmup, "historyLength", history),
        init);
  }

  /** Feeds reports at {@code first, first + gap, ...}, losses falling at different rates. */
  private static Balancer fed(Balancer b, int reports, long first, long gap) {
    for (int i = 0; i < reports; i++) {
      b.update(
          Report.of(
              first + i * gap,
              Map.of("a", 2.0 * Math.exp(-0.03 * i), "b", 4.0 * Math.exp(-0.01 * i))));
    }
    return b;
  }

  /** The state as an older build wrote it: the same, without the count. */
  private static BalancerState withoutCount(BalancerState s) {
    Map<String, Object> data = new LinkedHashMap<>(s.data());
    assertTrue(data.remove("warmupReports") != null, "the state has the count");
    return new BalancerState(
        s.version(), s.method(), s.tasks(), s.params(), s.initialLosses(), data);
  }

  private static BalancerState withCount(BalancerState s, Object count) {
    Map<String, Object> data = new LinkedHashMap<>(s.data());
    data.put("warmupReports", count);
    return new BalancerState(
        s.version(), s.method(), s.tasks(), s.params(), s.initialLosses(), data);
  }

  private static long count(Balancer b) {
    return ((Number) b.exportState().data().get("warmupReports")).longValue();
  }

  @Test
  void theCountIsTheReportsAppliedUpToWarmupSteps() {
    for (String variant : List.of("paper", "mftcoder")) {
      Balancer b = coba(variant, 5, 8, INIT);
      assertEquals(0, count(b));
      long[] expected = {1, 2, 3, 4, 5, 5, 5};
      for (int i = 0; i < expected.length; i++) {
        b.update(Report.of(100L * (i + 1), Map.of("a", 1.9 - 0.01 * i, "b", 3.9)));
        assertEquals(expected[i], count(b), variant + " after report " + (i + 1));
      }
    }
  }

  @Test
  void anOldStateLoadsWhereTheCountFollowsExactly() {
    // paper, initial losses, steps 1..5: every report recorded an amax (5), and steps 1..5 hold at
    // most 5
    // paper, 30 reports every 50 steps: at least 29 amax recorded >= warmupSteps 20: the count is
    // 20
    // paper without initial losses, steps 0..4: 5 distinct steps in the windows, at most 5 (steps
    // 0..4)
    // mftcoder: the window holds min(n, historyLength) reports and historyLength >= warmupSteps
    List<Balancer> cases =
        List.of(
            fed(coba("paper", 20, 8, INIT), 5, 1, 1),
            fed(coba("paper", 20, 8, null), 30, 50, 50),
            fed(coba("paper", 20, 8, null), 5, 0, 1),
            fed(coba("paper", 3, 8, INIT), 0, 1, 1),
            fed(coba("mftcoder", 5, 8, INIT), 2, 50, 50),
            fed(coba("mftcoder", 5, 8, INIT), 40, 50, 50),
            fed(coba("mftcoder", 5, 5, null), 7, 3, 9));
    for (Balancer b : cases) {
      BalancerState now = b.exportState();
      Balancer old = Methods.restore(withoutCount(now));
      assertEquals(now, old.exportState(), now.params() + " after step " + b.lastStep());
      Report next =
          Report.of(b.lastStep() == null ? 1 : b.lastStep() + 50, Map.of("a", 1.0, "b", 3.0));
      assertArrayEquals(
          b.update(next).weights().values(), old.update(next).weights().values(), 0.0);
    }
  }

  @Test
  void anOldStateIsRefusedWhereTheCountDoesNot() {
    // without initial losses, steps 1..5: a sixth report at step 0 may have left no point
    // (a zero loss before a reference), so the count is 5 or 6
    BalancerState noInit = withoutCount(fed(coba("paper", 20, 8, null), 5, 1, 1).exportState());
    InvalidInputException e =
        assertRefused("state.data.warmupReports", () -> Methods.restore(noInit));
    assertTrue(
        e.getMessage().contains("older build") && e.getMessage().contains("at most 6"),
        e.getMessage());
    // reports every 50 steps, fewer than warmupSteps of them: 3 reports, or up to 150
    BalancerState spaced = withoutCount(fed(coba("paper", 20, 8, INIT), 3, 50, 50).exportState());
    assertRefused("state.data.warmupReports", () -> Methods.restore(spaced));
  }

  @Test
  void aCountThatCannotBeIsRefused() {
    BalancerState fresh = coba("paper", 5, 8, INIT).exportState();
    BalancerState after2 = fed(coba("mftcoder", 5, 8, INIT), 2, 1, 1).exportState();
    for (Object bad : new Object[] {1L, -1L}) {
      assertRefused("state.data.warmupReports", () -> Methods.restore(withCount(fresh, bad)));
    }
    for (Object bad : new Object[] {0L, 6L, -3L, "2", true}) {
      assertRefused("state.data.warmupReports", () -> Methods.restore(withCount(after2, bad)));
    }
    assertEquals(after2, Methods.restore(withCount(after2, 2)).exportState());
  }
}
