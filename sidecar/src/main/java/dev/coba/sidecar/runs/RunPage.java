package dev.coba.sidecar.runs;

import java.util.List;

/** One page of runs ordered by id; {@code next} is the cursor of the next page, null on the last. */
public record RunPage(List<RunView> runs, String next) {
  public RunPage {
    runs = List.copyOf(runs);
  }
}
