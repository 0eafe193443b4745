package dev.coba.sidecar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Report;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticReportsTest {
  @Test
  void everyTaskAtEveryStepWithDecayingPositiveLosses() {
    List<String> tasks = SyntheticReports.tasks(4);
    List<Report> reports = SyntheticReports.generate(tasks, 500, 7);
    assertEquals(500, reports.size());
    for (int i = 0; i < reports.size(); i++) {
      Report r = reports.get(i);
      assertEquals(i + 1, r.step());
      for (String t : tasks) {
        assertTrue(
            r.valLosses().get(t) > 0 && r.trainLosses().get(t) > 0 && r.gradNorms().get(t) > 0);
      }
    }
    for (String t : tasks) {
      assertTrue(
          reports.get(499).valLosses().get(t) < reports.get(0).valLosses().get(t), t + " decays");
    }
    assertEquals(reports, SyntheticReports.generate(tasks, 500, 7), "deterministic for a seed");
  }
}
