package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalStoreTest {
  @TempDir Path dir;

  private static Event report(long step) {
    return Event.report("r", new RankReport(step, 0, Map.of("a", 1.0 / step), null, null, null));
  }

  private static List<Event> replayed(Store store) {
    List<Event> out = new ArrayList<>();
    store.replay(out::add);
    return out;
  }

  @Test
  void eventsComeBackInOrderAfterReopening() {
    RunSpec spec =
        new RunSpec(
            "r", List.of("a"), "coba", Map.of("tau", 2.5, "warmupSteps", 3L), 1, Map.of("a", 2.0));
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      store.append(Event.create(spec));
      for (int s = 1; s <= 100; s++) {
        store.append(report(s));
      }
    }
    try (JournalStore store = JournalStore.open(dir)) {
      List<Event> events = replayed(store);
      assertEquals(101, events.size());
      assertEquals(spec, ((Event.Create) events.get(0)).spec().toCore());
      assertEquals(report(57), events.get(57));
    }
  }

  @Test
  void linesLongerThanTheReadBufferComeBack() {
    Map<String, Double> losses = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 1024; i++) {
      losses.put("task-" + i + "-" + "x".repeat(100), 1.0 / (i + 1)); // about 140 KB a line
    }
    List<Event> written = new ArrayList<>();
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      for (int s = 1; s <= 3; s++) {
        Event e = Event.report("r", new RankReport(s, 0, losses, null, null, null));
        store.append(e);
        store.append(report(s)); // a short line between the long ones
        written.add(e);
        written.add(report(s));
      }
    }
    assertEquals(written, replayedAfterReopen());
  }

  @Test
  void concurrentAppendsShareFsyncsAndAllLand() throws Exception {
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 1; i <= 1600; i++) {
        long step = i;
        done.add(pool.submit(() -> store.append(report(step))));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
    }
    try (JournalStore store = JournalStore.open(dir)) {
      assertEquals(1600, replayed(store).size());
    }
  }

  /**
   * Appending threads interrupted while they wait for the fsync: an interrupted append may fail
   * (it was never acknowledged), but none hangs, the journal's channel survives (an interrupt
   * in the middle of a FileChannel write would close it for good, which is why only the store's
   * own thread writes), every acknowledged line lands in its thread's order, and the store takes
   * appends afterwards.
   */
  @Test
  void interruptedAppendersNeverBreakTheStore() throws Exception {
    int threads = 12;
    int each = 300;
    List<Thread> appenders = new ArrayList<>();
    List<List<Long>> acknowledged = new ArrayList<>();
    List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      for (int t = 0; t < threads; t++) {
        int thread = t;
        List<Long> mine = new ArrayList<>();
        acknowledged.add(mine);
        appenders.add(
            new Thread(
                () -> {
                  for (long i = 1; i <= each; i++) {
                    try {
                      store.append(
                          Event.report(
                              "r" + thread,
                              new RankReport(i, 0, Map.of("a", 1.0 / i), null, null, null)));
                      mine.add(i);
                    } catch (StoreException e) {
                      if (!e.getMessage()
                          .startsWith("interrupted while making the report durable")) {
                        unexpected.add(e);
                      }
                    }
                    Thread
                        .interrupted(); // an interrupt meant for the wait: not for the next append
                  }
                }));
      }
      appenders.forEach(Thread::start);
      java.util.Random random = new java.util.Random(3);
      while (appenders.stream().anyMatch(Thread::isAlive)) {
        appenders.get(random.nextInt(threads)).interrupt();
        Thread.sleep(0, 200_000);
      }
      for (Thread t : appenders) {
        t.join(30_000);
        assertFalse(t.isAlive(), "an append never returned");
      }
      assertEquals(List.of(), unexpected);
      assertNull(store.failure());
      store.append(report(1));
    }
    List<Event> events = replayedAfterReopen();
    for (int t = 0; t < threads; t++) {
      String run = "r" + t;
      List<Long> steps =
          events.stream()
              .filter(e -> e.runId().equals(run))
              .map(e -> ((Event.Report) e).report().step())
              .toList();
      // an interrupted append may still have been written: every acknowledged one is, in order
      List<Long> landed = new ArrayList<>(steps);
      landed.retainAll(acknowledged.get(t));
      assertEquals(acknowledged.get(t), landed, run);
      assertEquals(steps.stream().sorted().toList(), steps, run);
    }
  }

  @Test
  void aTornLastLineIsCutOffAndDamageElsewhereRefused() throws Exception {
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      store.append(report(1));
      store.append(report(2));
    }
    Path journal = dir.resolve(JournalStore.JOURNAL);
    long intact = Files.size(journal);
    Files.write(
        journal,
        "1234abcd {\"type\":\"rep".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    String log =
        logOf(
            () -> {
              try (JournalStore store = JournalStore.open(dir)) {
                assertEquals(2, replayed(store).size());
                store.append(report(3)); // appends after the cut, not after the torn bytes
              }
            });
    assertTrue(
        log.contains("cut off its last line, 21 bytes at byte " + intact + " (no newline)"), log);
    assertEquals(3, replayedAfterReopen().size());
    assertTrue(Files.size(journal) > intact);

    byte[] bytes = Files.readAllBytes(journal);
    bytes[12] ^= 1; // flip a bit inside the first event
    Files.write(journal, bytes);
    StoreException e =
        assertThrows(
            StoreException.class, this::replayedAfterReopen); // streamed: found while replaying
    assertTrue(e.getMessage().contains("damaged at byte 0"), e.getMessage());
  }

  /** What {@code action} logs: slf4j-simple writes to whatever System.err is at that moment. */
  private static String logOf(Runnable action) {
    PrintStream was = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(was);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aDamagedLastCompleteLineIsCutAndTheLogSaysWhatWasCut() throws Exception {
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      store.append(report(1));
    }
    Path journal = dir.resolve(JournalStore.JOURNAL);
    long intact = Files.size(journal);
    String damaged =
        "0badc0de {\"type\":\"delete\",\"runId\":\"r\"}\n"; // complete, but its checksum does not
    // match
    Files.writeString(journal, damaged, StandardOpenOption.APPEND);
    List<Event> events = new ArrayList<>();
    String log = logOf(() -> events.addAll(replayedAfterReopen()));
    assertEquals(List.of(report(1)), events);
    assertEquals(intact, Files.size(journal));
    assertTrue(
        log.contains(
            "cut off its last line, "
                + damaged.length()
                + " bytes at byte "
                + intact
                + " (its checksum does not match)"),
        log);
  }

  private List<Event> replayedAfterReopen() {
    try (JournalStore store = JournalStore.open(dir)) {
      return replayed(store);
    }
  }

  @Test
  void reportsKeepWeightsUsedAndLinesOfOlderBuildsStillLoad() throws Exception {
    Event withUsed =
        Event.report(
            "r", new RankReport(1, 0, Map.of("a", 1.0), null, null, null, Map.of("a", 0.25)));
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      store.append(withUsed);
    }
    // a report line exactly as the build before weightsUsed wrote it
    appendLine(
        "{\"type\":\"report\",\"runId\":\"r\",\"report\":{\"step\":2,\"rank\":0,\"valLosses\":{\"a\":0.5},"
            + "\"trainLosses\":{},\"gradNorms\":{},\"counts\":{}}}");
    List<Event> events = replayedAfterReopen();
    assertEquals(withUsed, events.get(0));
    assertEquals(Map.of("a", 0.25), ((Event.Report) events.get(0)).report().toCore().weightsUsed());
    assertEquals(
        Event.report("r", new RankReport(2, 0, Map.of("a", 0.5), null, null, null)), events.get(1));
    assertEquals(Map.of(), ((Event.Report) events.get(1)).report().toCore().weightsUsed());
  }

  /** Appends {@code body} as one journal line, with its checksum. */
  private void appendLine(String body) throws Exception {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        dir.resolve(JournalStore.JOURNAL),
        String.format("%08x ", crc.getValue()) + body + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  @Test
  void taskNamesBeyondTheBasicPlaneComeBackAlsoFromLinesOfOlderBuilds() throws Exception {
    String emoji = "\ud83d\ude00";
    Event written =
        Event.report(
            "r", new RankReport(1, 0, Map.of(emoji, 1.0, "\ud840\udc00", 2.0), null, null, null));
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      store.append(written);
    }
    assertTrue(
        Files.readString(dir.resolve(JournalStore.JOURNAL), StandardCharsets.UTF_8).contains(emoji),
        "written as UTF-8, not as an escaped surrogate pair");
    // the line as older builds wrote it: the pair escaped inside an object key, which bricked their
    // start
    appendLine(
        "{\"type\":\"report\",\"runId\":\"r\",\"report\":{\"step\":2,\"rank\":0,"
            + "\"valLosses\":{\"\\uD83D\\uDE00\":0.5,\"\\uD840\\uDC00\":1.5}}}");
    List<Event> events = replayedAfterReopen();
    assertEquals(written, events.get(0));
    assertEquals(
        Map.of(emoji, 0.5, "\ud840\udc00", 1.5),
        ((Event.Report) events.get(1)).report().toCore().valLosses());
  }

  @Test
  void aNewJournalStartsWithItsHeaderAndANewerFormatIsRefused() throws Exception {
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
    }
    String header = Files.readString(dir.resolve(JournalStore.JOURNAL));
    assertTrue(
        header.matches(
            "[0-9a-f]{8} \\{\"format\":\"coba-sidecar-journal\",\"version\":2,\"snapshotEnd\":\\d+ *}\n"),
        header);
    Files.delete(dir.resolve(JournalStore.JOURNAL));
    appendLine("{\"format\":\"coba-sidecar-journal\",\"version\":3,\"snapshotEnd\":0}");
    appendLine("{\"type\":\"delete\",\"runId\":\"r\"}");
    StoreException e = assertThrows(StoreException.class, () -> JournalStore.open(dir));
    assertTrue(
        e.getMessage().contains("is of format version 3; this build reads versions 1 to 2"),
        e.getMessage());
  }

  /** A full disk in the middle of a line: the 503'd fragment never stays under acknowledged lines. */
  @Test
  void aFailedWriteIsCutBackBeforeAnythingElseIsAppended() throws Exception {
    DiskFull disk = new DiskFull();
    Path journal = dir.resolve(JournalStore.JOURNAL);
    long good;
    try (JournalStore store = JournalStore.open(dir, disk)) {
      replayed(store);
      store.append(report(1));
      store.append(report(2));
      good = Files.size(journal);
      disk.room = 20; // the disk fills up in the middle of the next line
      assertThrows(StoreException.class, () -> store.append(report(3)));
      assertTrue(Files.size(journal) > good, "the fragment is there");
      assertNotNull(store.failure());
      disk.truncateFails =
          true; // space comes back, but the fragment cannot be cut yet: still refused
      disk.room = DiskFull.UNLIMITED;
      assertThrows(StoreException.class, () -> store.append(report(4)));
      assertNotNull(store.failure());
      disk.truncateFails = false;
      store.append(report(5));
      assertNull(store.failure());
    }
    assertEquals(List.of(report(1), report(2), report(5)), replayedAfterReopen());
  }

  @Test
  void aFailingJournalRecoversWithoutWaitingForAnAppend() throws Exception {
    DiskFull disk = new DiskFull();
    Path journal = dir.resolve(JournalStore.JOURNAL);
    try (JournalStore store = JournalStore.open(dir, disk)) {
      replayed(store);
      store.append(report(1));
      long good = Files.size(journal);
      disk.room = 5;
      assertThrows(StoreException.class, () -> store.append(report(2)));
      Thread.sleep(1_500); // a retry has run: it cut the fragment, but its probe met the full disk
      assertNotNull(store.failure());
      assertEquals(good, Files.size(journal));
      disk.room = DiskFull.UNLIMITED;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (store.failure() != null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertNull(store.failure(), "the writer's retry found the disk writable again");
      assertFalse(Files.exists(dir.resolve(JournalStore.PROBE)));
    }
    assertEquals(List.of(report(1)), replayedAfterReopen());
  }

  @Test
  void oneSidecarPerDirectory() {
    try (JournalStore store = JournalStore.open(dir)) {
      StoreException e = assertThrows(StoreException.class, () -> JournalStore.open(dir));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
  }

  /** The lock is the OS's, on the journal itself: no file to delete, and it follows a compaction. */
  @Test
  void noFileToDeleteLetsASecondWriterIn() throws Exception {
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      store.append(report(1));
      Files.deleteIfExists(
          dir.resolve("lock")); // what older builds locked; it stayed after a clean stop
      assertTrue(
          assertThrows(StoreException.class, () -> JournalStore.open(dir))
              .getMessage()
              .contains("in use"));
      store.rewrite(List.of(report(1))); // a new journal.log took the name
      assertTrue(
          assertThrows(StoreException.class, () -> JournalStore.open(dir))
              .getMessage()
              .contains("in use"));
      store.append(report(2));
    }
    assertEquals(
        List.of(report(1), report(2)), replayedAfterReopen()); // closed: the lock went with it
  }

  @Test
  void rewriteReplacesEverything() {
    try (JournalStore store = JournalStore.open(dir)) {
      replayed(store);
      for (int s = 1; s <= 10; s++) {
        store.append(report(s));
      }
      assertTrue(store.bytesSinceRewrite() > 0);
      store.rewrite(List.of(report(7)));
      assertEquals(0, store.bytesSinceRewrite());
      store.append(report(8));
    }
    assertEquals(List.of(report(7), report(8)), replayedAfterReopen());
  }
}
