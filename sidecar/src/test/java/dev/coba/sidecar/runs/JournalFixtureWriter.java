package dev.coba.sidecar.runs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a fixture journal with the build it runs in, and {@code expected.json}: the step and
 * weights of every run it must replay to. Every event type; two ranks; trainLosses, gradNorms,
 * counts and weightsUsed; task names beyond the Basic Multilingual Plane; a rewind, a restore
 * of a checkpoint, a deleted run. {@code journal-v1} was written this way by the build of
 * commit e0dde0e (no header, no compaction); {@code journal-v2} by the build that added the
 * header, compacting after 6,000 bytes. Fixtures are never rewritten: every later build must
 * read them as they are.
 *
 * <p>{@code java -cp <test class path> dev.coba.sidecar.runs.JournalFixtureWriter DIR [COMPACT_AFTER_BYTES]}
 */
public final class JournalFixtureWriter {
  private JournalFixtureWriter() {}

  public static void main(String[] a) throws Exception {
    long compactAfter = a.length > 1 ? Long.parseLong(a[1]) : RunRegistry.COMPACT_AFTER_BYTES;
    Path dir = Path.of(a[0]);
    Map<String, Object> expected = new TreeMap<>();
    List<String> tasks = List.of("python", "\ud83d\ude00", "\ud840\udc00");
    try (RunRegistry reg =
        RunRegistry.open(JournalStore.open(dir), new RegistryLimits(100, 50), compactAfter)) {
      reg.create(
          new RunSpec(
              "coba-2ranks",
              tasks,
              "coba",
              Map.of("warmupSteps", 3L, "historyLength", 6L),
              2,
              Map.of("python", 2.0)));
      RunState checkpoint = null;
      for (long s = 1; s <= 12; s++) {
        for (int rank = 0; rank < 2; rank++) {
          Map<String, Double> val = new LinkedHashMap<>();
          Map<String, Double> train = new LinkedHashMap<>();
          Map<String, Double> grad = new LinkedHashMap<>();
          Map<String, Double> counts = new LinkedHashMap<>();
          for (int i = 0; i < tasks.size(); i++) {
            val.put(tasks.get(i), (1 + i) * Math.exp(-0.07 * (i + 1) * s) + 0.1 + 0.01 * rank);
            train.put(tasks.get(i), (1 + i) * Math.exp(-0.08 * (i + 1) * s) + 0.05);
            grad.put(tasks.get(i), 1.0 / (s + i + rank));
            counts.put(tasks.get(i), 8.0 + rank);
          }
          Map<String, Double> used =
              s % 4 == 0 ? Map.of("python", 0.25, "\ud83d\ude00", 0.5, "\ud840\udc00", 0.25) : null;
          reg.submit("coba-2ranks", new RankReport(s, rank, val, train, grad, counts, used));
        }
        if (s == 5) {
          checkpoint = reg.exportState("coba-2ranks");
        }
      }
      reg.rewind("coba-2ranks", 9);
      reg.restoreState("coba-2ranks", checkpoint); // back to step 5, then on again
      for (long s = 6; s <= 7; s++) {
        for (int rank = 0; rank < 2; rank++) {
          reg.submit(
              "coba-2ranks",
              new RankReport(
                  s,
                  rank,
                  Map.of(
                      "python",
                      0.7 + rank / 10.0,
                      "\ud83d\ude00",
                      1.1,
                      "\ud840\udc00",
                      1.3 - s / 100.0),
                  null,
                  null,
                  null));
        }
      }
      reg.create(new RunSpec("famo-1", List.of("a", "b"), "famo", Map.of(), 1, Map.of()));
      for (long s = 1; s <= 8; s++) {
        reg.submit(
            "famo-1",
            new RankReport(s, 0, Map.of("a", 1.0 / s, "b", 2.0 / (s + 1)), null, null, null));
      }
      reg.create(new RunSpec("restored", List.of("x", "y"), "uniform", Map.of(), 1, Map.of()));
      reg.submit("restored", new RankReport(1, 0, Map.of("x", 1.0, "y", 2.0), null, null, null));
      RunState early = reg.exportState("restored");
      reg.submit("restored", new RankReport(2, 0, Map.of("x", 0.5, "y", 1.5), null, null, null));
      reg.restoreState("restored", early);
      reg.submit("restored", new RankReport(2, 0, Map.of("x", 0.75, "y", 1.25), null, null, null));
      reg.create(new RunSpec("gone", List.of("a"), "uniform", Map.of(), 1, Map.of()));
      reg.submit("gone", new RankReport(1, 0, Map.of("a", 1.0), null, null, null));
      reg.delete("gone");
      for (RunView v : reg.views()) {
        expected.put(v.spec().runId(), Map.of("step", v.step(), "weights", v.weights().asMap()));
      }
    }
    new ObjectMapper()
        .writerWithDefaultPrettyPrinter()
        .writeValue(dir.resolve("expected.json").toFile(), expected);
  }
}
