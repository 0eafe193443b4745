package dev.coba.trainer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.trainer.results.DfPoint;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import dev.coba.trainer.results.TaskResult;
import dev.coba.trainer.results.ValidationPoint;
import dev.coba.trainer.results.WeightPoint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  private static final String ODD = "a<b&\"c";
  private static final List<String> TASKS = List.of("python", ODD, "java");
  private static final Pattern IMG = Pattern.compile("<img src=\"([^\"]+)\"");
  private static final Pattern ROW = Pattern.compile("<tr data-method=\"([^\"]*)\">(.*?)</tr>");
  private static final Pattern VALUE = Pattern.compile("data-value=\"([^\"]*)\"");

  @TempDir Path runDir;

  @Test
  void writesThePageAndOneDecodablePngPerChart() throws IOException {
    Path html = ReportWriter.write(results(), runDir).html();
    assertEquals(runDir.resolve(ReportWriter.FILE), html);
    String page = Files.readString(html, StandardCharsets.UTF_8);

    List<String> images = matches(IMG, page);
    // mean ratios; coba: ratios, weights, df; uniform: ratios, weights; stl: ratios
    assertEquals(7, images.size());
    assertEquals(7, Set.copyOf(images).size());
    for (String src : images) {
      Path png = runDir.resolve(src);
      assertTrue(png.startsWith(runDir.resolve(ReportWriter.CHARTS)), src);
      BufferedImage image = ImageIO.read(png.toFile());
      assertNotNull(image, src);
      assertEquals(ChartFactory.WIDTH, image.getWidth());
      assertEquals(ChartFactory.HEIGHT, image.getHeight());
    }
    try (Stream<Path> files = Files.list(runDir.resolve(ReportWriter.CHARTS))) {
      assertEquals(
          new TreeSet<>(images),
          files
              .map(f -> ReportWriter.CHARTS + "/" + f.getFileName())
              .collect(Collectors.toCollection(TreeSet::new)));
    }
    assertTrue(page.contains("No weights recorded for this method."));
    assertEquals(2, count(page, "No divergence factor (DF) recorded for this method."));
  }

  @Test
  void tableHoldsExactlyTheNumbersOfResultsJson() throws IOException {
    Path json = runDir.resolve(Results.FILE);
    results().write(json);
    Results results = Results.read(json);
    String jsonText = Files.readString(json);
    String page = Files.readString(ReportWriter.write(results, runDir).html());
    Matcher rows = ROW.matcher(page);
    List<String> methods = new ArrayList<>();
    while (rows.find()) {
      String method = rows.group(1);
      methods.add(method);
      List<String> values = matches(VALUE, rows.group(2));
      assertEquals(expectedRow(results.methods().get(method)), values, method);
      values.forEach(value -> assertTrue(jsonText.contains(value), value));
    }
    assertEquals(List.copyOf(results.methods().keySet()), methods);
    // stl has the lowest mean test- and validation-loss ratios, spread and end above best, the
    // highest mean
    // exact match; then per task the lowest test-loss ratio and the highest exact match
    assertTrue(
        page.contains("<td class=\"num best\" data-value=\"0.61\" title=\"0.61\">0.6100</td>"));
    assertEquals(4 + 1 + 3 + 3, count(page, "class=\"num best\""));
  }

  @Test
  void escapesTaskNamesAndSettings() throws IOException {
    String page = Files.readString(ReportWriter.write(results(), runDir).html());
    assertTrue(page.contains("<th colspan=\"3\">a&lt;b&amp;&quot;c</th>"));
    assertFalse(page.contains(ODD));
    assertTrue(
        page.contains(
            "<th scope=\"row\">data</th><td>[&quot;x.jsonl&quot;,&quot;&lt;y&gt;.jsonl&quot;]</td>"));
    assertFalse(page.contains("<script"));
    assertFalse(page.contains("http"));
  }

  @Test
  void aMethodWhoseWeightsCameMostlyFromTheFallbackIsMarked() throws IOException {
    Results some = results();
    assertFalse(some.methods().get("coba").mostlyFallback(), "1 of 3 unanswered is not most");
    String page = Files.readString(ReportWriter.write(some, runDir).html());
    assertFalse(page.contains("class=\"warn\""));
    assertTrue(page.contains(">1 of 3</td>"), "coba's unanswered reports are shown");

    MethodResult coba = some.methods().get("coba");
    MethodResult cut =
        new MethodResult(
            coba.bestStep(),
            coba.meanValLossRatio(),
            coba.meanTestLossRatio(),
            coba.meanExactMatch(),
            coba.meanNextTokenAccuracy(),
            coba.bestStepSpread(),
            coba.meanEndAboveBest(),
            coba.secondsPerStep(),
            coba.steps(),
            coba.stoppedEarly(),
            false,
            3,
            2,
            coba.tasks(),
            coba.validation(),
            coba.weights(),
            coba.df());
    assertTrue(cut.mostlyFallback());
    Map<String, MethodResult> methods = new LinkedHashMap<>(some.methods());
    methods.put("coba", cut);
    page =
        Files.readString(
            ReportWriter.write(new Results(some.settings(), TASKS, methods), runDir).html());
    assertTrue(
        page.contains("<p class=\"warn\">coba: the balancer did not answer 2 of its 3 reports"),
        page);
    assertTrue(page.contains(">2 of 3 (mostly fallback)</td>"));
    assertTrue(
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writeValueAsString(cut)
            .contains("\"mostlyFallback\":true"),
        "results.json says so too");
  }

  @Test
  void aMachineThatCannotDrawStillGetsThePageWithEveryNumberAndTheReason() throws IOException {
    ChartRenderer noFonts =
        (chart, file) -> {
          throw new UnsatisfiedLinkError(
              "/usr/lib/jvm/java-17/lib/libfontmanager.so: libfreetype.so.6: "
                  + "cannot open shared object file");
        };
    Results results = results();
    ReportWriter.Written written = ReportWriter.write(results, runDir, noFonts);
    assertEquals(
        "java.lang.UnsatisfiedLinkError: /usr/lib/jvm/java-17/lib/libfontmanager.so: libfreetype.so.6: "
            + "cannot open shared object file",
        written.chartsMissing());
    String page = Files.readString(written.html());
    assertTrue(matches(IMG, page).isEmpty());
    assertTrue(
        page.contains(
            "<p class=\"warn\">Charts are missing: this machine could not draw them "
                + "(java.lang.UnsatisfiedLinkError: /usr/lib/jvm/java-17/lib/libfontmanager.so"),
        page);
    for (MethodResult m : results.methods().values()) {
      assertTrue(page.contains("data-value=\"" + m.meanTestLossRatio() + "\""));
    }
    // an Error of another kind ("no fonts found") is a missing chart too; running out of memory is
    // not
    ReportWriter.Written fontError =
        ReportWriter.write(
            results,
            runDir,
            (chart, file) -> {
              throw new Error("Probable fatal error: No fonts found.");
            });
    assertEquals(
        "java.lang.Error: Probable fatal error: No fonts found.", fontError.chartsMissing());
    org.junit.jupiter.api.Assertions.assertThrows(
        OutOfMemoryError.class,
        () ->
            ReportWriter.write(
                results,
                runDir,
                (chart, file) -> {
                  throw new OutOfMemoryError("Java heap space");
                }));
    assertEquals(null, ReportWriter.write(results, runDir).chartsMissing(), "this machine draws");
  }

  @Test
  void emptyResultsStillMakeAPage() throws IOException {
    MethodResult empty =
        new MethodResult(
            0,
            Double.NaN,
            Double.NaN,
            null,
            null,
            0,
            0,
            0,
            0,
            false,
            false,
            0,
            0,
            Map.of(),
            List.of(),
            List.of(),
            List.of());
    Results results = new Results(Map.of(), List.of(), Map.of("uniform", empty));
    String page = Files.readString(ReportWriter.write(results, runDir).html());
    assertTrue(matches(IMG, page).isEmpty());
    assertTrue(page.contains("No settings recorded."));
    assertTrue(page.contains("No method has validation points, so there is no chart."));
    assertTrue(page.contains("No validation points recorded, so no validation-loss chart."));

    Results none = new Results(Map.of(), List.of(), Map.of());
    assertTrue(
        Files.readString(ReportWriter.write(none, runDir).html()).contains("No method ran."));
  }

  @Test
  void aSinglePointAndMissingTasksStillDraw() throws IOException {
    MethodResult start =
        new MethodResult(
            0,
            1.0,
            1.0,
            null,
            null,
            0,
            0,
            0.1,
            0,
            false,
            false,
            0,
            0,
            Map.of(),
            List.of(new ValidationPoint(0, Map.of("python", 2.0))),
            List.of(new WeightPoint(0, Map.of("python", 1.0))),
            List.of(new DfPoint(0, Double.NaN)));
    Results results = new Results(Map.of(), TASKS, Map.of("coba", start));
    String page = Files.readString(ReportWriter.write(results, runDir).html());
    // mean ratios (NaN: two tasks have no loss) and DF (NaN only) have nothing to draw
    assertEquals(
        List.of("charts/01-coba-val-ratio.png", "charts/01-coba-weights.png"), matches(IMG, page));
    // three per missing task, one for the mean exact match, one for the unanswered reports of a
    // method without any
    assertEquals(3 * TASKS.size() + 2, count(page, "<td class=\"missing\">&ndash;</td>"));
    for (String src : matches(IMG, page)) {
      assertNotNull(ImageIO.read(runDir.resolve(src).toFile()), src);
    }
  }

  private static List<String> expectedRow(MethodResult m) {
    List<String> values =
        new ArrayList<>(
            List.of(
                Double.toString(m.meanTestLossRatio()),
                Double.toString(m.meanExactMatch()),
                Double.toString(m.meanValLossRatio()),
                Long.toString(m.bestStep()),
                Double.toString(m.bestStepSpread()),
                Double.toString(m.meanEndAboveBest()),
                Double.toString(m.secondsPerStep()),
                Long.toString(m.steps()),
                Boolean.toString(m.stoppedEarly())));
    if (m.balancerReports() > 0) {
      values.add(Long.toString(m.fallbackReports()));
    }
    for (String task : TASKS) {
      TaskResult t = m.tasks().get(task);
      values.add(Double.toString(t.testLossRatio()));
      values.add(Double.toString(t.exactMatch()));
      values.add(Long.toString(t.bestStep()));
    }
    return values;
  }

  /** coba with weights and DF, uniform with weights and no DF, stl with neither. */
  private static Results results() {
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("steps", 30);
    settings.put("lr", 1.0e-4);
    settings.put("data", List.of("x.jsonl", "<y>.jsonl"));
    Map<String, MethodResult> methods = new LinkedHashMap<>();
    methods.put(
        "coba",
        method(
            20,
            0.7123456789,
            5.0,
            0.123,
            List.of(0.8, 0.65, 0.7),
            weights(),
            List.of(new DfPoint(10, 0.9), new DfPoint(20, 0.4), new DfPoint(30, 0.2))));
    methods.put(
        "uniform", method(30, 0.75, 10.0, 0.1, List.of(0.7, 0.9, 0.72), weights(), List.of()));
    methods.put("stl", method(10, 0.61, 0.0, 0.5, List.of(0.75, 0.6, 0.6), List.of(), List.of()));
    return new Results(settings, TASKS, methods);
  }

  private static MethodResult method(
      long bestStep,
      double meanTest,
      double spread,
      double secondsPerStep,
      List<Double> taskRatios,
      List<WeightPoint> weights,
      List<DfPoint> df) {
    Map<String, TaskResult> tasks = new LinkedHashMap<>();
    List<ValidationPoint> validation = new ArrayList<>();
    for (long step = 0; step <= 30; step += 10) {
      Map<String, Double> losses = new LinkedHashMap<>();
      for (int t = 0; t < TASKS.size(); t++) {
        losses.put(TASKS.get(t), 2.0 + t - step * 0.01 * (t + 1) + (step == 30 ? 0.2 : 0));
      }
      validation.add(new ValidationPoint(step, losses));
    }
    for (int t = 0; t < TASKS.size(); t++) {
      tasks.put(
          TASKS.get(t),
          new TaskResult(
              10L * (t + 1),
              1.5,
              1.7,
              0.1,
              2.0,
              2.0 * taskRatios.get(t),
              taskRatios.get(t),
              1 - taskRatios.get(t),
              0.9));
    }
    long reports = weights.isEmpty() ? 0 : 3;
    return new MethodResult(
        bestStep,
        meanTest + 0.01,
        meanTest,
        MethodResult.meanExactMatch(tasks),
        MethodResult.meanNextTokenAccuracy(tasks),
        spread,
        spread / 100,
        secondsPerStep,
        30,
        bestStep < 30,
        false,
        reports,
        reports == 0 ? 0 : 1,
        tasks,
        validation,
        weights,
        df);
  }

  private static List<WeightPoint> weights() {
    return List.of(
        new WeightPoint(0, Map.of("python", 1.0, ODD, 1.0, "java", 1.0)),
        new WeightPoint(10, Map.of("python", 0.8, ODD, 1.3, "java", 0.9)),
        new WeightPoint(20, Map.of("python", 0.7, ODD, 1.5, "java", 0.8)));
  }

  private static List<String> matches(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    List<String> found = new ArrayList<>();
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }
}
