package dev.coba.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.trainer.results.Results;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} on a machine that cannot draw text, as a bare GPU server without fonts: a child
 * JVM whose {@code libfontmanager.so} cannot load ({@code LD_LIBRARY_PATH} puts an empty
 * {@code libfreetype.so.6} first, the {@code UnsatisfiedLinkError} such a server gives). The run
 * must still write results.json and report.html and exit 0.
 */
class TrainWithoutFontsTest {

  @Test
  void aRunThatCannotDrawChartsStillWritesItsResultsAndExits0(@TempDir Path dir) throws Exception {
    Path javaHome = Path.of(System.getProperty("java.home"));
    // a JDK that bundles its own freetype would not be broken this way
    Assumptions.assumeTrue(
        Files.exists(javaHome.resolve("lib/libfontmanager.so"))
            && Files.notExists(javaHome.resolve("lib/libfreetype.so")),
        "a Linux JDK using the system's freetype");
    Path broken = Files.createDirectories(dir.resolve("no-fonts"));
    Files.write(broken.resolve("libfreetype.so.6"), new byte[0]);
    Path out = dir.resolve("run");

    List<String> command =
        new ArrayList<>(
            List.of(
                javaHome.resolve("bin/java").toString(),
                "-cp",
                System.getProperty("java.class.path")));
    for (String p :
        List.of(
            "ai.djl.offline", "ai.djl.pytorch.num_threads", "ENGINE_CACHE_DIR", "DJL_CACHE_DIR")) {
      if (System.getProperty(p) != null) {
        command.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    command.addAll(
        List.of(
            dev.coba.trainer.cli.TrainCli.class.getName(),
            "--out",
            out.toString(),
            "--methods",
            "uniform",
            "--steps",
            "10",
            "--eval-every",
            "10",
            "--val-every",
            "5",
            "--layers",
            "1",
            "--d-model",
            "16",
            "--heads",
            "2",
            "--batch-per-task",
            "2",
            "--quiet"));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("console.txt").toFile());
    pb.environment().put("LD_LIBRARY_PATH", broken.toString());
    Process child = pb.start();
    assertTrue(child.waitFor(180, TimeUnit.SECONDS), "the child run ends");
    String console = Files.readString(dir.resolve("console.txt"), StandardCharsets.UTF_8);

    assertEquals(0, child.exitValue(), console);
    assertTrue(
        console.contains(
            "has no charts: this machine could not draw them (java.lang.UnsatisfiedLinkError"),
        console);
    assertEquals(
        List.of("uniform"),
        List.copyOf(Results.read(out.resolve("results.json")).methods().keySet()));
    String page = Files.readString(out.resolve("report.html"));
    assertTrue(page.contains("Charts are missing: this machine could not draw them"), page);
    assertFalse(page.contains("<img"));
    try (var charts = Files.list(out.resolve("charts"))) {
      assertEquals(List.of(), charts.toList(), "no half-written PNG left behind");
    }
  }
}
