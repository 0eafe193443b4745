package dev.coba.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.coba.client.djl.CobaTrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DJL adapter's logic, with DJL's API on the class path but no engine: the trainer is never touched. */
class DjlListenerTest {
  @Test
  void reportsEveryNthBatchAndExposesTheWeights() {
    RunDefinition def = Scenario.run("djl", 1);
    List<Long> asked = new ArrayList<>();
    try (CobaClient client = CobaClient.inProcess(def);
        CobaClient reference = CobaClient.inProcess(def)) {
      CobaTrainingListener listener =
          new CobaTrainingListener(
              client,
              0,
              step -> {
                asked.add(step);
                return step == 5 ? null : Scenario.losses(step, 0);
              },
              2);
      listener.onTrainingBegin(null);
      assertNull(listener.weights().step());
      for (int batch = 0; batch < 10; batch++) {
        listener.onTrainingBatch(null, null);
      }
      listener.onTrainingEnd(null);
      assertEquals(List.of(1L, 3L, 5L, 7L, 9L), asked);
      assertEquals(9, listener.step());
      for (long s : List.of(1L, 3L, 7L, 9L)) {
        reference.report(Scenario.report(s, 0));
      }
      assertEquals(reference.weights(), listener.weights());
      assertEquals(9L, listener.weights().step());
    }
  }
}
