package dev.coba.sidecar.runs;

import dev.coba.core.Methods;
import dev.coba.core.Params;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunSpec;

/**
 * Estimated heap bytes of the parts of a run, from their sizes alone (no walking of object
 * graphs on the request path). The constants were measured with JOL on OpenJDK 17, 64-bit with
 * compressed references, and {@code FootprintTest} keeps each estimate at or above what it
 * measures and within 1.6 times of it, at 9 and 1,024 tasks.
 *
 * <p>What a run holds: its definition and the method's state twice (the live balancer, and
 * the base it rebuilds from once steps leave the retained history); every rank report it
 * retains (five maps of a number per task); per completed step the combined report and the
 * method's answer (weights and per-task diagnostics); CoBa's divergence-factor history, 8 bytes
 * per step for the run's whole life; and the dashboard's curve (see {@code StepSeries}).
 */
final class Footprint {
  /** One entry of a {@code Map<String, Double>} copy: LinkedHashMap entry, boxed Double, table slots (keys are shared). */
  static final long MAP_ENTRY = 72;

  /** The map itself: its unmodifiable wrapper, the LinkedHashMap, the table's header. */
  static final long MAP = 160;

  static final long RANK_REPORT = 48;
  static final long REPORT = 32;

  /** A completed step's record, its entry in the run's history, the ranks' map. */
  static final long STEP = 256;

  static final long PER_RANK = 24;

  /** The run's own objects (Run, spec, deques, maps, lock, registry slot) without the method. */
  static final long RUN = 4096;

  /** A task's name, once in the definition (the maps share it): String and its bytes, list slot. */
  static final long TASK = 48;

  /** CoBa's divergence-factor history: 8 bytes a step, in the balancer and its base, arrays doubling. */
  static final long DF_PER_STEP = 32;

  /** Per-task diagnostics a method's answer is assumed to carry before its first one was seen (CoBa has 4). */
  static final int ASSUMED_DIAGNOSTICS = 6;

  private Footprint() {}

  /** A {@code Map<String, Double>} of {@code n} entries as reports and combined reports copy it. */
  static long map(int n) {
    return n == 0 ? 0 : MAP + MAP_ENTRY * n;
  }

  static long doubles(int n) {
    return 16 + 8L * n;
  }

  /** One rank's report as the run retains it. */
  static long report(RankReport r) {
    return RANK_REPORT
        + map(r.valLosses().size())
        + map(r.trainLosses().size())
        + map(r.gradNorms().size())
        + map(r.counts().size())
        + map(r.weightsUsed().size());
  }

  /** A completed step without its ranks' reports (those are counted as they arrive). */
  static long step(Run.CompletedStep done) {
    return STEP
        + PER_RANK * done.ranks().size()
        + combined(done.combined())
        + update(done.update());
  }

  /** What the first completed step of a run may take besides its reports, before any was seen. */
  static long firstStep(RunSpec spec, RankReport last) {
    int k = spec.tasks().size();
    long combined =
        REPORT
            + map(last.valLosses().isEmpty() ? 0 : k)
            + map(last.trainLosses().isEmpty() ? 0 : k)
            + map(last.gradNorms().isEmpty() ? 0 : k);
    return STEP
        + PER_RANK * spec.worldSize()
        + combined
        + 64
        + doubles(k)
        + ASSUMED_DIAGNOSTICS * (48 + doubles(k))
        + map(8);
  }

  static long combined(Report r) {
    return REPORT
        + map(r.valLosses().size())
        + map(r.trainLosses().size())
        + map(r.gradNorms().size());
  }

  static long update(Update u) {
    long bytes = 64 + doubles(u.weights().tasks().size()) + map(u.diagnostics().size()) + MAP;
    for (double[] values : u.taskDiagnostics().values()) {
      bytes += 48 + doubles(values.length);
    }
    return bytes;
  }

  /**
   * The run before any report: its objects, its task names, and the method's state twice. Checks
   * the method, the tasks and the parameters as creating the run would (same errors, same
   * order), so that nothing of an invalid or oversized run is allocated to size it.
   */
  static long run(RunSpec spec) {
    long names = 0;
    for (String t : spec.tasks()) {
      names += TASK + 2L * t.length();
    }
    return RUN + names + 2 * method(spec);
  }

  /** The method's state for the run's tasks and parameters (its windows are allocated up front). */
  static long method(RunSpec spec) {
    var descriptor = Methods.get(spec.method());
    Methods.checkTasks(spec.tasks());
    Params p = Params.resolve(descriptor.name(), descriptor.params(), spec.params());
    long k = spec.tasks().size();
    if (spec.method().equals("coba")) {
      long n = p.getInt("historyLength");
      if (p.getString("variant").equals("mftcoder")) {
        return 3_000 + k * (350 + 25 * n) + n * (k + 32);
      }
      return 2_200 + k * (344 + 24 * n);
    }
    // the others keep a few numbers per task; a method from a plug-in is assumed to keep a few more
    return switch (spec.method()) {
      case "uniform" -> 600 + 72 * k;
      case "uncertainty", "rlw" -> 700 + 80 * k;
      case "lbtw", "dwa", "gradnorm" -> 700 + 88 * k;
      case "igbv1" -> 800 + 96 * k;
      case "famo" -> 800 + 104 * k;
      default -> 1_000 + 128 * k;
    };
  }

  /** Whether the method's state grows with every step (CoBa's divergence factor). */
  static boolean growsPerStep(RunSpec spec) {
    return spec.method().equals("coba");
  }
}
