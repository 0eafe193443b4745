package dev.coba.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.sidecar.CliRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --memory-budget}: sizes as people write them; anything else is a usage error that names the option. */
class MemoryBudgetOptionTest {
  @TempDir Path dir;

  @Test
  void sizesInBytesOrPowersOf1024() {
    assertEquals(268_435_456L, ByteSize.parse("268435456"));
    assertEquals(512L << 20, ByteSize.parse("512MiB"));
    assertEquals(512L << 20, ByteSize.parse("512m"));
    assertEquals(2L << 30, ByteSize.parse(" 2 GiB "));
    assertEquals(64L << 10, ByteSize.parse("64KB"));
    for (String bad : List.of("", "lots", "-5MiB", "1.5GiB", "5TiB", "99999999999999999999")) {
      assertNull(ByteSize.parse(bad), bad);
    }
  }

  @Test
  void aBadBudgetIsAUsageError() {
    for (String bad : List.of("lots", "0", "0MiB", "-1")) {
      CliRun r =
          CliRun.run(
              "", "serve", "--port", "0", "--data-dir", dir.toString(), "--memory-budget", bad);
      assertEquals(2, r.code(), () -> bad + "\n" + r);
      assertTrue(r.err().contains("--memory-budget"), r::toString);
    }
  }

  @Test
  void helpTellsTheOptionAndItsEnvironmentVariable() {
    CliRun r = CliRun.run("", "serve", "--help");
    assertTrue(
        r.out().contains("--memory-budget") && r.out().contains("COBA_MEMORY_BUDGET"), r.out());
  }
}
