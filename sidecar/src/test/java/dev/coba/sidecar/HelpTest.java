package dev.coba.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HelpTest {

  @ParameterizedTest
  @ValueSource(strings = {"--help", "replay --help", "bench --help", "bench core --help"})
  void helpOnEveryCommandExitsZero(String args) {
    CliRun r = CliRun.run("", args.split(" "));
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.out().contains("Usage: coba-sidecar"), r::toString);
    assertTrue(r.out().contains("Exit codes:"), r::toString);
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
