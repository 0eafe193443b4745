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
import java.util.function.Supplier;
import org.knowm.xchart.XYChart;

/**
 * Writes the report of a run: {@code report.html} in the run's folder, and its PNG charts under
 * {@code charts/} there (the page refers to them by relative paths, so the folder can be moved or
 * served as it is). Charts are drawn headless: a training machine has no display. A machine that
 * cannot draw them (no fonts, no native AWT libraries) still gets the page with every number, and
 * the page says why the charts are missing: the report never costs the run.
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

  /** What was written: the page, and why it has no charts (null when it has them). */
  public record Written(Path html, String chartsMissing) {}

  /** Writes {@code runDir/report.html} and {@code runDir/charts/*.png}. */
  public static Written write(Results results, Path runDir) throws IOException {
    return write(results, runDir, ChartRenderer.PNG);
  }

  static Written write(Results results, Path runDir, ChartRenderer renderer) throws IOException {
    Charts charts = new Charts(Files.createDirectories(runDir.resolve(CHARTS)), renderer);
    Optional<String> meanRatios =
        charts.save(
            () -> ChartFactory.meanRatios(results.methods(), results.taskNames()),
            "methods-mean-val-ratio");
    Map<String, MethodCharts> perMethod = new LinkedHashMap<>();
    int index = 0;
    for (Map.Entry<String, MethodResult> entry : results.methods().entrySet()) {
      String method = entry.getKey();
      MethodResult result = entry.getValue();
      String prefix = String.format(Locale.ROOT, "%02d-%s", ++index, fileNamePart(method));
      perMethod.put(
          method,
          new MethodCharts(
              charts.save(
                  () -> ChartFactory.normalisedRatios(method, results.taskNames(), result),
                  prefix + "-val-ratio"),
              charts.save(
                  () -> ChartFactory.weights(method, results.taskNames(), result.weights()),
                  prefix + "-weights"),
              charts.save(() -> ChartFactory.df(method, result.df()), prefix + "-df")));
    }
    String html =
        HtmlReport.render(results, new ReportCharts(meanRatios, perMethod, charts.failure));
    Path file = runDir.resolve(FILE);
    Files.writeString(file, html, StandardCharsets.UTF_8);
    return new Written(file, charts.failure);
  }

  /** Saves charts until one cannot be drawn; after that it draws none (the cause is the same). */
  private static final class Charts {
    private final Path dir;
    private final ChartRenderer renderer;
    private String failure;

    Charts(Path dir, ChartRenderer renderer) {
      this.dir = dir;
      this.renderer = renderer;
    }

    /** Saves the chart as {@code name.png}; its path relative to the run's folder, empty when not drawn. */
    Optional<String> save(Supplier<Optional<XYChart>> chart, String name) throws IOException {
      if (failure != null) {
        return Optional.empty();
      }
      String fileName = name + ".png";
      try {
        Optional<XYChart> built = chart.get();
        if (built.isEmpty()) {
          return Optional.empty();
        }
        renderer.save(built.get(), dir.resolve(fileName));
      } catch (IOException e) {
        throw e; // the disk, not drawing: report.html would fail the same way
      } catch (OutOfMemoryError | StackOverflowError e) {
        throw e;
      } catch (
          Throwable
              e) { // UnsatisfiedLinkError, "no fonts found" Error, AWTError, HeadlessException...
        failure = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        Files.deleteIfExists(dir.resolve(fileName)); // what the encoder opened before it failed
        return Optional.empty();
      }
      return Optional.of(CHARTS + "/" + fileName);
    }
  }

  /** A method name as a safe, readable piece of a file name (the run index keeps names unique). */
  static String fileNamePart(String method) {
    String part =
        method.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    if (part.length() > 40) {
      part = part.substring(0, 40);
    }
    return part.isEmpty() ? "method" : part;
  }
}
