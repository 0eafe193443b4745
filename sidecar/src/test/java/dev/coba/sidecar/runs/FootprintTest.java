package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.Methods;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/**
 * The memory a run really takes, measured with JOL (object sizes as this JVM lays them out),
 * against {@link Footprint}'s estimates that the budget charges: each estimate is at least the
 * measured size and at most 1.6 times it. Prints the sizes (the README's table) at K = 9 and
 * K = 1,024.
 */
class FootprintTest {
  static {
    // JOL reads record fields through this on JDK 17 without an agent
    System.setProperty("jol.magicFieldOffset", "true");
  }

  static final double SLACK = 1.6;

  static List<String> tasks(int k) {
    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      tasks.add(String.format(Locale.ROOT, "task-%04d", i));
    }
    return List.copyOf(tasks);
  }

  /** Bytes reachable from {@code o} and not from {@code shared} (task names, method descriptors). */
  static long bytes(Object o, Object shared) {
    return GraphLayout.parseInstance(o, shared).totalSize()
        - GraphLayout.parseInstance(shared).totalSize();
  }

  /** A rank's report as parsed from JSON: task names shared, a Double per value, given maps only. */
  static RankReport report(List<String> tasks, long step, int rank, boolean allLosses, Random rnd) {
    Map<String, Double> val = new LinkedHashMap<>();
    Map<String, Double> train = new LinkedHashMap<>();
    Map<String, Double> grad = new LinkedHashMap<>();
    for (String t : tasks) {
      val.put(t, 2 * Math.exp(-0.01 * step) + 0.1 * rnd.nextDouble());
      train.put(t, 2 * Math.exp(-0.01 * step) + 0.1 * rnd.nextDouble());
      grad.put(t, 1 + rnd.nextDouble());
    }
    return allLosses
        ? new RankReport(step, rank, val, train, grad, null, null)
        : new RankReport(step, rank, val, null, null, null);
  }

  record Sizes(long measured, long estimated) {
    String show() {
      return kib(measured) + " (estimate " + kib(estimated) + ")";
    }

    void check(String what) {
      assertTrue(
          estimated >= measured, what + ": estimate " + estimated + " < measured " + measured);
      assertTrue(
          estimated <= SLACK * measured,
          what + ": estimate " + estimated + " > " + SLACK + " x measured " + measured);
    }
  }

  static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }

  /** A retained step, measured as the growth of a run over 10 steps (reports included), and its estimate. */
  static Sizes retainedStep(List<String> tasks, String method, int worldSize, boolean allLosses) {
    Run run = Run.create(new RunSpec("r", tasks, method, Map.of(), worldSize, Map.of()), 2_000);
    Random rnd = new Random(1);
    long before = 0;
    long estimated = 0;
    for (int s = 1; s <= 12; s++) {
      long stepBytes = 0;
      for (int rank = 0; rank < worldSize; rank++) {
        RankReport r = report(tasks, s, rank, allLosses, rnd);
        run.submit(r);
        stepBytes += Footprint.report(r);
      }
      if (s == 2) {
        before = bytes(run, tasks);
      } else if (s > 2) {
        estimated += stepBytes + Footprint.step(run.history(s, s).get((long) s));
      }
    }
    return new Sizes((bytes(run, tasks) - before) / 10, estimated / 10);
  }

  static Sizes methodState(List<String> tasks, String method, Map<String, Object> params) {
    Balancer b = Methods.create(method, tasks, params, Map.of());
    return new Sizes(
        bytes(b, new Object[] {tasks, Methods.all()}),
        Footprint.method(new RunSpec("r", tasks, method, params, 1, Map.of())));
  }

  /** The curve after {@code steps} steps of CoBa with every loss reported: measured, and as the series counts itself. */
  static Sizes curve(List<String> tasks, int steps) {
    Run run = Run.create(new RunSpec("r", tasks, "coba", Map.of("warmupSteps", 2), 1, Map.of()), 4);
    StepSeries series = new StepSeries(tasks);
    Random rnd = new Random(2);
    for (int s = 1; s <= steps; s++) {
      run.submit(report(tasks, s, 0, true, rnd));
      series.add(s, run.history(s, s).get((long) s));
    }
    return new Sizes(bytes(series, tasks), series.retainedBytes());
  }

  @Test
  void estimatesCoverWhatRunsReallyTake() {
    for (int k : new int[] {9, 1024}) {
      List<String> tasks = tasks(k);
      System.out.println("K = " + k + ":");
      for (boolean all : new boolean[] {false, true}) {
        for (int ws : new int[] {1, 2}) {
          Sizes step = retainedStep(tasks, "coba", ws, all);
          System.out.println(
              "  retained step, coba, worldSize "
                  + ws
                  + (all ? ", val+train+grad: " : ", valLosses only: ")
                  + step.show());
          step.check("K=" + k + " step ws=" + ws + " all=" + all);
        }
      }
      Sizes uniform = retainedStep(tasks, "uniform", 1, false);
      System.out.println(
          "  retained step, uniform, worldSize 1, valLosses only: " + uniform.show());
      uniform.check("K=" + k + " uniform step");
      for (String method :
          List.of(
              "coba",
              "uniform",
              "dwa",
              "famo",
              "gradnorm",
              "igbv1",
              "lbtw",
              "rlw",
              "uncertainty")) {
        Sizes state = methodState(tasks, method, Map.of());
        System.out.println("  method state, " + method + ": " + state.show());
        state.check("K=" + k + " " + method);
      }
      for (Map<String, Object> p :
          List.<Map<String, Object>>of(
              Map.of("historyLength", 200),
              Map.of("historyLength", 200, "warmupSteps", 20, "variant", "mftcoder"))) {
        Sizes state = methodState(tasks, "coba", p);
        System.out.println("  method state, coba " + p + ": " + state.show());
        state.check("K=" + k + " coba " + p);
      }
      for (int steps : new int[] {1, 600}) {
        Sizes c = curve(tasks, steps);
        System.out.println("  dashboard curve after " + steps + " step(s): " + c.show());
        c.check("K=" + k + " curve after " + steps);
      }
    }
  }

  @Test
  void aRunIsChargedAtLeastWhatItTakes() {
    for (int k : new int[] {9, 1024}) {
      List<String> tasks = tasks(k);
      RunSpec spec =
          new RunSpec(
              "r", tasks, "coba", Map.of("warmupSteps", 3, "historyLength", 8), 2, Map.of());
      RunSlot slot = new RunSlot(Run.create(spec, 20), 20);
      Random rnd = new Random(3);
      int steps =
          k == 9 ? 60 : 25; // past the retained history: the base state exists, steps are evicted
      for (int s = 1; s <= steps; s++) {
        slot.accept(report(tasks, s, 0, false, rnd));
        slot.accept(report(tasks, s, 1, false, rnd));
      }
      slot.accept(report(tasks, steps + 1, 0, false, rnd)); // one pending
      long measured = bytes(slot, new Object[] {Methods.all()});
      long charged = slot.footprint.total();
      System.out.println(
          "K = "
              + k
              + ": a coba run of 2 ranks, 20 steps retained: "
              + kib(measured)
              + " (charged "
              + kib(charged)
              + ")");
      assertTrue(
          charged >= measured && charged <= 2 * measured,
          "charged " + charged + ", measured " + measured);
    }
  }
}
