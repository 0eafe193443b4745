package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.sidecar.runs.JournalStore;
import dev.coba.sidecar.runs.RegistryLimits;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task names outside the Basic Multilingual Plane (an emoji, CJK extension B), sent as
 * Python's {@code json.dumps} sends them (escaped surrogate pairs, in object keys too) and as
 * raw UTF-8: accepted, journaled, and read back by the next start.
 */
class NonBmpTaskNamesTest {
  static final String EMOJI = "\ud83d\ude00";
  static final String CJK_B = "\ud840\udc00";

  @TempDir Path dir;

  @Test
  void escapedAndRawNamesWorkAndSurviveARestart() {
    String weightsBefore;
    try (TestServer s = TestServer.start(null, JournalStore.open(dir), RegistryLimits.defaults())) {
      // the backslashes reach the server: the body holds \ud83d\ude00, as json.dumps writes it
      Response created =
          s.post(
              "/v1/runs",
              "{\"runId\": \"emoji\", \"tasks\": [\"\\ud83d\\ude00\", \"\\ud840\\udc00\"], \"method\": \"coba\"}");
      assertEquals(201, created.status(), created::toString);
      assertEquals(
          List.of(EMOJI, CJK_B),
          List.of(
              created.json().get("tasks").get(0).asText(),
              created.json().get("tasks").get(1).asText()));
      Response escaped =
          s.post(
              "/v1/runs/emoji/steps",
              "{\"step\": 1, \"valLosses\": {\"\\ud83d\\ude00\": 1.0, \"\\uD840\\uDC00\": 2.0}}");
      assertEquals(200, escaped.status(), escaped::toString);
      Response raw =
          s.post(
              "/v1/runs/emoji/steps",
              "{\"step\": 2, \"valLosses\": {\"" + EMOJI + "\": 0.9, \"" + CJK_B + "\": 1.9}}");
      assertEquals(200, raw.status(), raw::toString);
      assertTrue(
          raw.body().contains("\"" + EMOJI + "\":"),
          "answers name the task in UTF-8, not escaped: " + raw.body());
      weightsBefore = raw.json().get("weights").toString();
    }
    try (TestServer again =
        TestServer.start(null, JournalStore.open(dir), RegistryLimits.defaults())) {
      Response run = again.get("/v1/runs/emoji");
      assertEquals(200, run.status(), run::toString);
      assertEquals(2, run.json().get("step").asLong());
      assertEquals(weightsBefore, run.json().get("weights").toString());
    }
  }
}
