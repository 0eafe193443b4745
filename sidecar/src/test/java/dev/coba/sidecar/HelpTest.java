package dev.coba.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpTest {

  /**
   * Picocli formats descriptions with {@code String.format}: a bare {@code %} (as in "10 %")
   * breaks the format, and picocli then warns on the process's standard error, past the
   * command's own streams, on every {@code --help}.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "--help",
        "serve --help",
        "replay --help",
        "bench --help",
        "bench core --help",
        "bench http --help"
      })
  void helpOnEveryCommandExitsZeroWithoutWarnings(String args) {
    PrintStream stderr = System.err;
    ByteArrayOutputStream processErr = new ByteArrayOutputStream();
    CliRun r;
    System.setErr(new PrintStream(processErr, true, StandardCharsets.UTF_8));
    try {
      r = CliRun.run("", args.split(" "));
    } finally {
      System.setErr(stderr);
    }
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("Usage: coba-sidecar"), r::toString);
    assertTrue(r.out().contains("Exit codes:"), r::toString);
    assertEquals("", processErr.toString(StandardCharsets.UTF_8), args);
    assertFalse(r.out().contains("%n"), r::toString);
  }

  @Test
  void versionNamesTheProject() {
    CliRun r = CliRun.run("", "--version");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().startsWith("coba-sidecar "), r::toString);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "bench", "frobnicate", "replay --no-such-option", "bench core --tasks x"})
  void usageErrorsExitTwoWithAShortMessage(String args) {
    CliRun r = CliRun.run("", args.isEmpty() ? new String[0] : args.split(" "));
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().startsWith("coba-sidecar"), r::toString);
    assertTrue(r.err().contains("--help' for usage"), r::toString);
    assertEquals("", r.out(), r::toString);
  }
}
