package dev.coba.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.InvalidInputException;
import dev.coba.protocol.Wire.HistoryEntryBody;
import dev.coba.protocol.Wire.StepReportBody;
import dev.coba.protocol.Wire.StepWeightsBody;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one mapper: strict for requests; for answers the same, except that unknown properties are skipped. */
class WireJsonTest {
  private static final String WEIGHTS =
      "{\"runId\": \"r\", \"step\": 3, \"complete\": true, \"weights\": {\"a\": 0.5, \"b\": 0.5},"
          + " \"objective\": \"linear\"";

  @Test
  void aRequestWithAnUnknownFieldIsRefusedNamingIt() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> WireJson.read("{\"step\": 1, \"stpe\": 2}", StepReportBody.class));
    assertEquals("stpe", e.field());
    assertTrue(e.getMessage().startsWith("unknown field 'stpe'"), e.getMessage());
  }

  @Test
  void anAnswerWithAPropertyAddedLaterIsRead() {
    StepWeightsBody b =
        WireJson.readAnswer(WEIGHTS + ", \"addedInV1_1\": {\"x\": 1}}", StepWeightsBody.class);
    assertEquals(Map.of("a", 0.5, "b", 0.5), b.weights());
    assertEquals(3L, b.step());
  }

  @Test
  void anAnswerIsOtherwiseAsStrictAsARequest() {
    assertThrows(
        InvalidInputException.class,
        () -> WireJson.readAnswer(WEIGHTS + "} {}", StepWeightsBody.class));
    assertThrows(
        InvalidInputException.class,
        () ->
            WireJson.readAnswer(
                WEIGHTS.replace("0.5, \"b\"", "NaN, \"b\"") + "}", StepWeightsBody.class));
    assertThrows(
        InvalidInputException.class,
        () ->
            WireJson.readAnswer(
                WEIGHTS.replace("\"step\": 3", "\"step\": \"3\"") + "}", StepWeightsBody.class));
    assertThrows(
        InvalidInputException.class,
        () -> WireJson.readAnswer(WEIGHTS + ", \"step\": 4}", StepWeightsBody.class));
  }

  @Test
  void escapedSurrogatePairsInKeysAreRead() {
    // how Python's json.dumps writes an emoji; written back as UTF-8
    StepReportBody r =
        WireJson.read(
            "{\"step\": 1, \"valLosses\": {\"\\ud83d\\ude00\": 1.5}}", StepReportBody.class);
    assertEquals(Map.of("\uD83D\uDE00", 1.5), r.valLosses());
    assertEquals("{\"step\":1,\"valLosses\":{\"\uD83D\uDE00\":1.5}}", WireJson.writeString(r));
  }

  @Test
  void diagnosticsMayHoldNullsWhereAValueDoesNotExistYet() {
    HistoryEntryBody e =
        WireJson.readAnswer(
            "{\"step\": 1, \"valLosses\": {\"a\": 1.0}, \"weights\": {\"a\": 1.0},"
                + " \"diagnostics\": {\"df\": null, \"ratios\": {\"a\": null}}}",
            HistoryEntryBody.class);
    assertTrue(e.diagnostics().containsKey("df") && e.diagnostics().get("df") == null);
    assertEquals(java.util.Collections.singletonMap("a", null), e.diagnostics().get("ratios"));
  }
}
