package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coba.core.run.RankReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal on a real full disk: a 256 KiB tmpfs (Linux, run as root, as CI does; skipped
 * where mounting is not allowed). JournalStoreTest's DiskFull double covers the same path
 * everywhere; this checks that what the kernel really does (ENOSPC in the middle of a line)
 * is handled the same way: the fragment is cut, acknowledged lines all come back.
 */
class RealDiskFullTest {
  @TempDir Path mountPoint;

  private boolean mounted;

  @BeforeEach
  void mountTmpfs() throws Exception {
    assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs is Linux's");
    Process mount =
        new ProcessBuilder(
                "mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint.toString())
            .redirectErrorStream(true)
            .start();
    mounted = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
    assumeTrue(
        mounted,
        "cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN): "
            + new String(mount.getInputStream().readAllBytes()).trim());
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", mountPoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Event report(long step) {
    return Event.report(
        "r", new RankReport(step, 0, Map.of("a", 1.0 / step, "b", 2.0 / step), null, null, null));
  }

  @Test
  void aFullDiskRefusesWithoutDamageAndRecoversWhenSpaceReturns() throws Exception {
    Path data = Files.createDirectories(mountPoint.resolve("data"));
    Path filler = mountPoint.resolve("filler");
    Files.write(filler, new byte[64 * 1024]); // what an operator frees later
    List<Event> acknowledged = new ArrayList<>();
    try (JournalStore store = JournalStore.open(data)) {
      store.replay(e -> {});
      long step = 1;
      while (true) { // until the kernel says the disk is full
        Event e = report(step++);
        try {
          store.append(e);
          acknowledged.add(e);
        } catch (StoreException full) {
          break;
        }
      }
      assertTrue(
          acknowledged.size() > 100, "the disk took " + acknowledged.size() + " lines first");
      assertNotNull(store.failure(), "the store says it fails (/readyz: not ready)");
      Files.delete(filler);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (store.failure() != null && System.nanoTime() < deadline) {
        Thread.sleep(50); // the writer retries once a second
      }
      assertNull(store.failure(), "space came back: the store takes writes again");
      Event after = report(step + 1000);
      store.append(after);
      acknowledged.add(after);
    }
    List<Event> replayed = new ArrayList<>();
    try (JournalStore store = JournalStore.open(data)) { // a start after the full disk: no damage
      store.replay(replayed::add);
    }
    assertEquals(acknowledged, replayed, "every acknowledged line, nothing of the refused one");
  }
}
