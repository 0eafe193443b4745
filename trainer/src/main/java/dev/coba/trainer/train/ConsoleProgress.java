package dev.coba.trainer.train;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar per method on standard error: the step, the rate, the mean training loss, the
 * best mean validation-loss ratio so far, and the current weights (as percentages, in task order).
 */
public final class ConsoleProgress implements StepListener {
    private final List<String> tasks;
    private final PrintStream out;
    private ProgressBar bar;
    private double best = Double.NaN;
    private String fallbacks = "";

    public ConsoleProgress(List<String> tasks, PrintStream out) {
        this.tasks = List.copyOf(tasks);
        this.out = out;
    }

    @Override
    public void onStart(String method, long fromStep, long steps) {
        best = Double.NaN;
        fallbacks = "";
        bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "%-12s", method))
                .setInitialMax(steps).startsFrom(fromStep, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000)
                .setConsumer(new ConsoleProgressBarConsumer(out, 150)).showSpeed().build();
    }

    @Override
    public void onStep(long step, double[] trainLosses, double[] weights) {
        if (bar == null) {
            return;
        }
        bar.stepTo(step);
        bar.setExtraMessage(extra(trainLosses, weights));
    }

    String extra(double[] trainLosses, double[] weights) {
        double mean = 0;
        for (double l : trainLosses) {
            mean += l;
        }
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < weights.length; i++) {
            String name = weights.length == tasks.size() ? tasks.get(i) : "w" + i;
            w.append(i == 0 ? "" : " ").append(name, 0, Math.min(4, name.length()))
                    .append(String.format(Locale.ROOT, " %.0f%%", 100 * weights[i]));
        }
        return String.format(Locale.ROOT, " loss %.3f  best val %.3f  %s", mean / trainLosses.length, best, w)
                + fallbacks;
    }

    @Override
    public void onFallback(long step, long fallbackReports, long reports) {
        // said on every update: weights that are not the balancer's answer must not pass unnoticed
        fallbacks = "  FALLBACK " + fallbackReports + "/" + reports + " reports unanswered";
    }

    @Override
    public void onValidation(long step, double meanRatio, double bestRatio) {
        best = bestRatio;
    }

    @Override
    public void onEnd() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
