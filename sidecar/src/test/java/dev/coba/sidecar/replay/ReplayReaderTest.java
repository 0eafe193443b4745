package dev.coba.sidecar.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayReaderTest {

  private static ReplayLog read(String text) throws IOException {
    return ReplayReader.read(new BufferedReader(new StringReader(text)));
  }

  @Test
  void skipsBlankLinesButCountsThem() throws IOException {
    ReplayLog log =
        read(
            "\n{\"step\": 3, \"valLosses\": {\"a\": 1}}\n   \n{\"step\": 5, \"valLosses\": {\"a\": 0.5}}\n");
    assertEquals(List.of(2, 4), log.reports().stream().map(LineReport::line).toList());
    assertEquals(0, log.headerLine());
  }

  @Test
  void acceptsAByteOrderMarkAndIntegralFloatingPointSteps() throws IOException {
    ReplayLog log =
        read("\uFEFF{\"tasks\": [\"a\"]}\n{\"step\": 12.0, \"valLosses\": {\"a\": 1}}\n");
    assertEquals(12, log.reports().get(0).report().step());
    assertEquals(1, log.headerLine());
  }

  @Test
  void headerWithInitialLossesOnlyStartsTheTaskOrder() throws IOException {
    ReplayLog log =
        read(
            "{\"initialLosses\": {\"z\": 2.0}}\n{\"step\": 1, \"valLosses\": {\"a\": 1, \"z\": 1.5}}\n");
    assertEquals(List.of("z", "a"), log.tasks());
    assertEquals(Map.of("z", 2.0), log.initialLosses());
    assertEquals(1, log.lineOf("tasks[0]"));
    assertEquals(2, log.lineOf("tasks[1]"));
  }

  @Test
  void nullOptionalMapsAreAbsent() throws IOException {
    ReplayLog log =
        read(
            "{\"step\": 1, \"valLosses\": {\"a\": 1}, \"trainLosses\": null, \"gradNorms\": null}\n");
    assertEquals(Map.of(), log.reports().get(0).report().trainLosses());
  }

  @Test
  void errorsNameLineAndField() {
    ReplayInputException e =
        assertThrows(
            ReplayInputException.class,
            () ->
                read(
                    "{\"step\": 1, \"valLosses\": {\"a\": 1}}\n{\"step\": 2, \"valLosses\": {\"a\": true}}\n"));
    assertEquals(2, e.line());
    assertEquals("valLosses.a", e.field());
    assertEquals("line 2: valLosses.a: must be a number, got true", e.getMessage());
  }
}
