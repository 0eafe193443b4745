package dev.coba.core.coba;

import static dev.coba.core.testing.RandomHistories.COBA;

import dev.coba.core.Report;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** CoBa's random histories for one variant: 1 to 6 tasks, 1 to 150 reports of {@code RandomHistories.COBA}. */
public final class CoBaHistories {
  private CoBaHistories() {}

  /**
   * For {@code "mftcoder"}, every task has an initial loss (MFTCoder always has the step-0
   * losses) and the reports start at step 1.
   */
  public static History draw(Random rnd, String variant) {
    History h = COBA.history(rnd, 1 + rnd.nextInt(6), 1 + rnd.nextInt(150));
    if (variant.equals(CoBaMethod.MFTCODER)) {
      Map<String, Double> init = new LinkedHashMap<>();
      for (String t : h.tasks()) {
        init.put(t, 1.0 + rnd.nextDouble());
      }
      h =
          new History(
              h.tasks(),
              init,
              h.reports().stream()
                  .map(r -> Report.of(r.step() == 0 ? 1 : r.step(), r.valLosses()))
                  .distinct()
                  .toList());
    }
    return new History(h.tasks(), h.initialLosses(), dedupe(h.reports()));
  }

  private static List<Report> dedupe(List<Report> reports) {
    List<Report> out = new ArrayList<>();
    long last = Long.MIN_VALUE;
    for (Report r : reports) {
      if (r.step() > last) {
        out.add(r);
        last = r.step();
      }
    }
    return out;
  }
}
