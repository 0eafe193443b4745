package dev.coba.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

  @Test
  void taskLabelsAreTheShortestStartsNoOtherTaskShares() {
    assertEquals(
        List.of("copy", "reve", "sort", "add", "look"),
        TaskLabels.of(List.of("copy", "reverse", "sort", "add", "lookup")));
    assertEquals(
        List.of("code_j", "code_p", "codex", "code"),
        TaskLabels.of(List.of("code_java", "code_python", "codex", "code")));
  }

  @Test
  void noNanBeforeTheFirstPassAndInALogOneLinePerPass() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleProgress p =
        new ConsoleProgress(
            List.of("code_java", "code_python"),
            new PrintStream(bytes, true, StandardCharsets.UTF_8),
            false);
    p.onStart("coba", 0, 100);
    assertEquals(
        " loss 1.500  best val -  code_j 25% code_p 75%",
        p.extra(new double[] {1, 2}, new double[] {0.25, 0.75}));
    for (long step = 1; step <= 20; step++) {
      p.onStep(step, new double[] {1, 2}, new double[] {0.25, 0.75});
      if (step == 10) {
        p.onValidation(10, 0.9, 0.9);
      }
      if (step == 15) {
        p.onFallback(15, 1, 3);
      }
    }
    p.onValidation(20, 0.95, 0.9);
    p.onEnd();
    assertEquals(
        """
                coba: starts at step 0 of 100
                coba: step 10/100  val 0.900 loss 1.500  best val 0.900  code_j 25% code_p 75%
                coba: step 20/100  val 0.950 loss 1.500  best val 0.900  code_j 25% code_p 75%  FALLBACK 1/3 reports \
                unanswered
                """,
        bytes.toString(StandardCharsets.UTF_8));
  }
}
