package dev.coba.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.coba.core.run.RunSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RunIdsTest {
  /** The hand-written check is a twin of the pattern that RunSpec keeps: they agree on every id. */
  @Test
  void runIdCheckAgreesWithThePattern() {
    String alphabet = "azAZ09._-/ %\u00e9\u4e2d:+";
    Random random = new Random(7);
    for (int n = 0; n < 20_000; n++) {
      int length = random.nextInt(4) == 0 ? 120 + random.nextInt(12) : random.nextInt(6);
      StringBuilder id = new StringBuilder();
      for (int i = 0; i < length; i++) {
        id.append(
            random.nextInt(5) == 0
                ? alphabet.charAt(random.nextInt(alphabet.length()))
                : (char) ('a' + random.nextInt(26)));
      }
      String s = id.toString();
      assertEquals(RunSpec.RUN_ID.matcher(s).matches(), RunIds.matches(s), () -> "id '" + s + "'");
    }
    assertEquals(true, RunIds.matches("a".repeat(128)));
    assertEquals(false, RunIds.matches("a".repeat(129)));
    assertEquals(false, RunIds.matches(""));
  }
}
