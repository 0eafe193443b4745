package dev.coba.core.spi;

import dev.coba.core.InvalidInputException;
import java.util.List;

/**
 * Each task's reference loss {@code l_i(0)}, the denominator of the loss ratio
 * {@code l_i(t) / l_i(0)} that CoBa, LBTW* and GradNorm* read: the initial loss given at
 * creation, else the task's first positive reported loss. One rule for all of them, so that a
 * run gets the same ratios whichever of these methods it uses. A zero before any positive loss
 * sets no reference, so it gives no ratio (0 / 0 has none); a zero after it gives ratio 0.
 */
public final class ReferenceLosses {
  /** The state key; the methods' state layouts have always used it. */
  static final String KEY = "reference";

  /**
   * The largest ratio a loss may have to its task's reference ({@link #refuseOverflowing}).
   * Far beyond any training (a loss 10^100 times the task's first), and low enough that slope
   * fits over any steps, and the scores built from them, stay finite. Without it a loss of
   * 10^10 after a first one of 10^-300 overflowed the ratio, and CoBa answered NaN for good.
   */
  public static final double MAX_RATIO = 1e100;

  /** l_i(0) per task; NaN until known. */
  private final double[] reference;

  /** Starts from the initial losses given at creation (NaN where not given). */
  public ReferenceLosses(double[] initialLosses) {
    reference = initialLosses.clone();
  }

  /** Whether the task has its reference loss yet. */
  public boolean has(int task) {
    return !Double.isNaN(reference[task]);
  }

  /**
   * {@code loss / l_i(0)}, first taking {@code loss} as {@code l_i(0)} when the task has no
   * reference yet and the loss is positive; NaN when the task still has no reference.
   *
   * @param loss a validated loss (finite, {@code >= 0})
   */
  public double ratio(int task, double loss) {
    if (Double.isNaN(reference[task])) {
      if (!(loss > 0)) {
        return Double.NaN;
      }
      reference[task] = loss;
    }
    return loss / reference[task];
  }

  /**
   * Refuses a report with a validation loss more than {@link #MAX_RATIO} times its task's
   * reference (counting a first positive loss as its own reference), naming the loss; changes
   * nothing. For the methods whose arithmetic on ratios is not otherwise bounded.
   */
  public void refuseOverflowing(TaskReport report, List<String> tasks) {
    for (int i = 0; i < reference.length; i++) {
      if (!report.hasVal(i) || Double.isNaN(reference[i])) {
        continue; // a first loss is its own reference: ratio 1
      }
      double loss = report.val()[i];
      if (!(loss / reference[i] <= MAX_RATIO)) {
        String task = tasks.get(i);
        throw new InvalidInputException(
            "valLosses." + task,
            "step "
                + report.step()
                + ": valLosses of task '"
                + task
                + "' is "
                + loss
                + ", more than 1e100 times the task's reference loss "
                + reference[i]
                + " (its initial loss, or its first positive one): the loss ratio would overflow");
      }
    }
  }

  public void write(StateWriter out) {
    out.put(KEY, reference);
  }

  /** Refuses a reference a ratio cannot divide by: each is unset (null) or a finite loss > 0. */
  public void read(StateReader in) {
    in.copyInto(KEY, reference, StateReader.Values.POSITIVE_OR_UNSET);
  }
}
