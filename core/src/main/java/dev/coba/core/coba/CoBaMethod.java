package dev.coba.core.coba;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Objective;
import dev.coba.core.ParamSpec;
import dev.coba.core.Params;
import java.util.List;

/** The {@code coba} method: its parameters and the choice between its two variants. */
public final class CoBaMethod {
  public static final String PAPER = "paper";
  public static final String MFTCODER = "mftcoder";

  public static final List<ParamSpec> PARAMS =
      List.of(
          ParamSpec.integer(
              "warmupSteps",
              20,
              0,
              Integer.MAX_VALUE,
              "weights stay uniform while n + 1 < warmupSteps, n = the reports so far (this one included), not the step number;"
                  + " the paper sets it to M, the number of validation batches"),
          ParamSpec.integer(
              "historyLength",
              40,
              2,
              1_000_000,
              "points per task in the slope fit, at least 2 (a slope needs two points); the paper sets it to 2M"),
          ParamSpec.real("tau", 5, 0, 1e6, "divergence factor temperature, >= 0"),
          ParamSpec.choice(
              "variant",
              PAPER,
              List.of(PAPER, MFTCODER),
              "paper: the formulas of the paper; mftcoder: the numbers of MFTCoder's CoBaStatus"),
          ParamSpec.bool("useRcs", true, "ablation: false gives w = ACS"),
          ParamSpec.bool("useAcs", true, "ablation: false gives w = RCS"),
          ParamSpec.bool("useDf", true, "ablation: false fixes DF = 0.5"));

  public static final MethodDescriptor DESCRIPTOR =
      new MethodDescriptor(
          "coba",
          "Convergence Balancer: weights from the slopes of the per-task validation-loss ratios "
              + "(relative and absolute convergence scores, mixed by a divergence factor).",
          PARAMS,
          List.of("valLosses"),
          Objective.LINEAR,
          CoBaMethod::create);

  private CoBaMethod() {}

  /** The parameters as both variants read them, and the ablations' rule for mixing the scores. */
  record Settings(
      int warmup, int history, double tau, boolean useRcs, boolean useAcs, boolean useDf) {

    Settings(Params p) {
      this(
          p.getInt("warmupSteps"),
          p.getInt("historyLength"),
          p.getDouble("tau"),
          p.getBool("useRcs"),
          p.getBool("useAcs"),
          p.getBool("useDf"));
    }

    /** {@code DF * RCS + (1 - DF) * ACS}, or the one score an ablation leaves on. */
    double mix(double df, double rcs, double acs) {
      return !useAcs ? rcs : !useRcs ? acs : df * rcs + (1 - df) * acs;
    }
  }

  private static dev.coba.core.Balancer create(
      List<String> tasks, Params params, double[] initialLosses) {
    if (!params.getBool("useRcs") && !params.getBool("useAcs")) {
      throw new InvalidInputException(
          "params.useAcs", "useRcs and useAcs cannot both be false: nothing would set the weights");
    }
    if (params.getString("variant").equals(MFTCODER)) {
      return new MftCoderCoBa(tasks, params, initialLosses);
    }
    return new CoBa(tasks, params, initialLosses);
  }
}
