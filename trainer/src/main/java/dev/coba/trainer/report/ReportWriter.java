package dev.coba.trainer.report;

import dev.coba.trainer.report.ReportCharts.MethodCharts;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;

/**
 * Writes the report of a run: {@code report.html} in the run's folder, and its PNG charts under
 * {@code charts/} there (the page refers to them by relative paths, so the folder can be moved or
 * served as it is). Charts are drawn headless: a training machine has no display.
 */
public final class ReportWriter {
    public static final String FILE = "report.html";
    public static final String CHARTS = "charts";

    static {
        // read by AWT when it first asks; an explicit choice of the caller stands
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private ReportWriter() {}

    /** Writes {@code runDir/report.html} and {@code runDir/charts/*.png}; returns the html file. */
    public static Path write(Results results, Path runDir) throws IOException {
        Path chartsDir = Files.createDirectories(runDir.resolve(CHARTS));
        Optional<String> meanRatios = save(ChartFactory.meanRatios(results.methods(), results.taskNames()),
                chartsDir, "methods-mean-val-ratio");
        Map<String, MethodCharts> perMethod = new LinkedHashMap<>();
        int index = 0;
        for (Map.Entry<String, MethodResult> entry : results.methods().entrySet()) {
            String method = entry.getKey();
            MethodResult result = entry.getValue();
            String prefix = String.format(Locale.ROOT, "%02d-%s", ++index, fileNamePart(method));
            perMethod.put(method, new MethodCharts(
                    save(ChartFactory.normalisedRatios(method, results.taskNames(), result),
                            chartsDir, prefix + "-val-ratio"),
                    save(ChartFactory.weights(method, results.taskNames(), result.weights()),
                            chartsDir, prefix + "-weights"),
                    save(ChartFactory.df(method, result.df()), chartsDir, prefix + "-df")));
        }
        String html = HtmlReport.render(results, new ReportCharts(meanRatios, perMethod));
        Path file = runDir.resolve(FILE);
        Files.writeString(file, html, StandardCharsets.UTF_8);
        return file;
    }

    /** Saves the chart as {@code name.png}; returns its path relative to the run's folder. */
    private static Optional<String> save(Optional<XYChart> chart, Path chartsDir, String name) throws IOException {
        if (chart.isEmpty()) {
            return Optional.empty();
        }
        String fileName = name + ".png";
        BitmapEncoder.saveBitmap(chart.get(), chartsDir.resolve(fileName).toString(), BitmapFormat.PNG);
        return Optional.of(CHARTS + "/" + fileName);
    }

    /** A method name as a safe, readable piece of a file name (the run index keeps names unique). */
    static String fileNamePart(String method) {
        String part = method.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        if (part.length() > 40) {
            part = part.substring(0, 40);
        }
        return part.isEmpty() ? "method" : part;
    }
}
