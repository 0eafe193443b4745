package dev.coba.core.run;

import dev.coba.core.BalancerState;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A run as one plain value, for checkpoints: its definition, the method's state before the
 * first retained report ({@code null} when the reports go back to the start), and the rank
 * reports it accepted since, in acceptance order. Restoring replays them, so the restored run
 * answers bit-identically.
 */
public record RunState(
    int version, RunSpec run, @Nullable BalancerState base, List<RankReport> reports) {
  public static final int CURRENT_VERSION = 1;

  public RunState {
    reports = List.copyOf(reports);
  }
}
