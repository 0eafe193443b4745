package dev.coba.trainer.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on standard error: the step, the mean training loss, the best mean validation-loss
 * ratio so far, the current weights (as percentages, by task labels) and any reports the
 * balancer did not answer. On a terminal, a bar redrawn in place once a second; in a log (standard
 * error not a terminal), one line per full validation pass instead, as a redrawn bar would write
 * a line a second.
 */
public final class ConsoleProgress implements StepListener {
  private final List<String> labels;
  private final PrintStream out;
  private final boolean terminal;
  private String method;
  private long steps;
  private ProgressBar bar;
  private double best = Double.NaN;
  private String fallbacks = "";
  private double[] lastLosses;
  private double[] lastWeights;

  /** Progress for {@code tasks} on {@code out}: a bar when standard error is a terminal, lines otherwise. */
  public ConsoleProgress(List<String> tasks, PrintStream out) {
    this(tasks, out, stderrIsTerminal());
  }

  ConsoleProgress(List<String> tasks, PrintStream out, boolean terminal) {
    this.labels = TaskLabels.of(tasks);
    this.out = out;
    this.terminal = terminal;
  }

  /** Whether file descriptor 2 is a terminal (Linux: its link in /proc); else whether there is a console. */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return System.console() != null;
    }
  }

  @Override
  public void onStart(String method, long fromStep, long steps) {
    this.method = method;
    this.steps = steps;
    best = Double.NaN;
    fallbacks = "";
    lastLosses = null;
    if (terminal) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(String.format(Locale.ROOT, "%-12s", method))
              .setInitialMax(steps)
              .startsFrom(fromStep, java.time.Duration.ZERO)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(1000)
              .setConsumer(new ConsoleProgressBarConsumer(out, 150))
              .showSpeed()
              .build();
    } else {
      out.printf(
          Locale.ROOT,
          "%s: %s at step %d of %d%n",
          method,
          fromStep == 0 ? "starts" : "resumes",
          fromStep,
          steps);
    }
  }

  @Override
  public void onStep(long step, double[] trainLosses, double[] weights) {
    lastLosses = trainLosses;
    lastWeights = weights;
    if (bar != null) {
      bar.stepTo(step);
      bar.setExtraMessage(extra(trainLosses, weights));
    }
  }

  String extra(double[] trainLosses, double[] weights) {
    double mean = 0;
    for (double l : trainLosses) {
      mean += l;
    }
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < weights.length; i++) {
      String name = weights.length == labels.size() ? labels.get(i) : "w" + i;
      w.append(i == 0 ? "" : " ")
          .append(name)
          .append(String.format(Locale.ROOT, " %.0f%%", 100 * weights[i]));
    }
    // before the first full validation pass there is no best yet: a dash, not NaN
    String bestText = Double.isNaN(best) ? "-" : String.format(Locale.ROOT, "%.3f", best);
    return String.format(
            Locale.ROOT, " loss %.3f  best val %s  %s", mean / trainLosses.length, bestText, w)
        + fallbacks;
  }

  @Override
  public void onValidation(long step, double meanRatio, double bestRatio) {
    best = bestRatio;
    if (!terminal && lastLosses != null) {
      out.printf(
          Locale.ROOT,
          "%s: step %d/%d  val %.3f %s%n",
          method,
          step,
          steps,
          meanRatio,
          extra(lastLosses, lastWeights).trim());
    }
  }

  @Override
  public void onFallback(long step, long fallbackReports, long reports) {
    // said on every update: weights that are not the balancer's answer must not pass unnoticed
    fallbacks = "  FALLBACK " + fallbackReports + "/" + reports + " reports unanswered";
  }

  @Override
  public void onEnd() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
