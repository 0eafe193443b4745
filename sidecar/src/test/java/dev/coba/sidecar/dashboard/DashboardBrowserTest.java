package dev.coba.sidecar.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.core.run.RankReport;
import dev.coba.protocol.WireJson;
import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver},
 * which {@code .ci/run} installs; no driver is downloaded): a sidecar with a token, a CoBa run
 * and a uniform one of a few hundred steps, the token typed into the page, then every chart
 * checked against the series the sidecar answers, the run followed live, the bars against
 * {@code /metrics}, a method without diagnostics, a 3,000-step run downsampled by the sidecar, a
 * sidecar without a token; screenshots under {@code target/}.
 */
class DashboardBrowserTest {
  static final String TOKEN = "browser-token";
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final int STEPS = 300;
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium");

  static RunRegistry registry;
  static SidecarServer server;
  static String base;
  static ChromeDriver driver;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(
        Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "the browser test needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver");
    registry = RunRegistry.open(new MemoryStore(), RegistryLimits.defaults());
    server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", 0, TOKEN))
            .start();
    base = "http://127.0.0.1:" + server.port();
    post(
        "/v1/runs",
        """
        {"runId": "coba-run", "tasks": ["python", "java", "go"], "method": "coba",
         "params": {"warmupSteps": 20, "historyLength": 40}}""");
    post(
        "/v1/runs",
        """
        {"runId": "uniform-run", "tasks": ["python", "java", "go"], "method": "uniform"}""");
    for (long step = 1; step <= STEPS; step++) {
      post("/v1/runs/coba-run/steps", report(step));
      post("/v1/runs/uniform-run/steps", report(step));
    }
    System.setProperty(
        "webdriver.chrome.driver", CHROMEDRIVER.toString()); // never Selenium Manager
    DEVTOOLS_LOG.setLevel(
        Level.SEVERE); // no DevTools protocol is used: its version warning is noise
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options =
        new ChromeOptions()
            .setBinary(CHROMIUM.toFile())
            .addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1400,2000",
                "--no-first-run",
                "--disable-extensions");
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (server != null) {
      server.stop();
      registry.close();
    }
  }

  static String report(long step) {
    return """
        {"step": %d, "valLosses": {"python": %s, "java": %s, "go": %s}}"""
        .formatted(
            step,
            2.0 * Math.exp(-0.004 * step) + 0.3,
            2.5 * Math.exp(-0.002 * step) + 0.2 + 0.0004 * Math.max(0, step - 200),
            3.0 * Math.exp(-0.001 * step) + 0.1);
  }

  static String post(String path, String json) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(
        r.statusCode() == 200 || r.statusCode() == 201,
        () -> path + ": " + r.statusCode() + " " + r.body());
    return r.body();
  }

  static String get(String path) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), () -> path + ": " + r.body());
    return r.body();
  }

  /** What the page says it drew ({@code window.dashboard}). */
  static JsonNode dashboard() throws Exception {
    Object json =
        ((JavascriptExecutor) driver)
            .executeScript("return JSON.stringify(window.dashboard || null)");
    return WireJson.MAPPER.readTree((String) json);
  }

  static JsonNode waitFor(String what, java.util.function.Predicate<JsonNode> ready) {
    return new WebDriverWait(driver, Duration.ofSeconds(30))
        .withMessage(what)
        .until(
            d -> {
              try {
                JsonNode state = dashboard();
                return state != null && !state.isNull() && ready.test(state) ? state : null;
              } catch (Exception e) {
                return null;
              }
            });
  }

  static void screenshot(String name) throws Exception {
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void theRunsListAsksForTheTokenThenEveryChartDrawsWhatTheSidecarAnswers() throws Exception {
    driver.get(base + "/");
    ((JavascriptExecutor) driver)
        .executeScript("sessionStorage.clear()"); // whichever test ran first
    driver.navigate().refresh();
    waitFor("the page to ask for the token", s -> s.path("error").asText().contains("token"));
    assertTrue(driver.findElement(By.id("token-form")).isDisplayed());
    driver.findElement(By.id("token-input")).sendKeys(TOKEN);
    driver.findElement(By.cssSelector("#token-form button")).click();
    JsonNode list = waitFor("the runs list", s -> s.path("runs").size() == 2);
    assertEquals("coba-run", list.get("runs").get(0).asText());
    assertFalse(driver.findElement(By.id("token-form")).isDisplayed());
    screenshot("dashboard-runs.png");

    driver
        .findElement(By.linkText("coba-run"))
        .click(); // the token stays in the tab's sessionStorage
    JsonNode page = waitFor("the coba run's charts", s -> s.path("step").asLong() == STEPS);
    JsonNode series = WireJson.MAPPER.readTree(get("/v1/runs/coba-run/series"));
    List<String> names = new ArrayList<>();
    series.get("charts").forEach(c -> names.add(c.get("name").asText()));
    assertEquals(List.of("weights", "valLosses", "ratios", "slopes", "rcs", "acs", "df"), names);
    for (JsonNode chart : series.get("charts")) {
      JsonNode drawn = page.get("charts").get(chart.get("name").asText());
      assertEquals(
          chart.get("lines").size(), drawn.get("series").asInt(), chart.get("name").asText());
      assertEquals(STEPS, drawn.get("points").asInt(), chart.get("name").asText());
    }
    assertEquals(3, page.get("charts").get("weights-now").get("points").asInt());
    assertEquals(names.size() + 1, driver.findElements(By.cssSelector(".chart .uplot")).size());
    assertEquals(metricsWeights("coba-run"), weights(page));
    assertFalse(driver.findElement(By.id("token-form")).isDisplayed());
    screenshot("dashboard-run.png");

    for (long step = STEPS + 1; step <= STEPS + 20; step++) { // the run goes on: the page follows
      post("/v1/runs/coba-run/steps", report(step));
    }
    JsonNode later =
        waitFor("the page to follow the run", s -> s.path("step").asLong() == STEPS + 20);
    assertEquals(STEPS + 20, later.get("charts").get("weights").get("points").asInt());
    assertEquals(metricsWeights("coba-run"), weights(later));
  }

  @Test
  void aMethodWithoutDiagnosticsShowsWhatItHas() throws Exception {
    driver.get(base + "/runs/uniform-run#token=" + TOKEN);
    JsonNode page = waitFor("the uniform run's charts", s -> s.path("step").asLong() == STEPS);
    List<String> drawn = new ArrayList<>();
    page.get("charts").fieldNames().forEachRemaining(drawn::add);
    assertEquals(List.of("weights-now", "weights", "valLosses"), drawn);
    assertEquals(STEPS, page.get("charts").get("valLosses").get("points").asInt());
    assertEquals(3, page.get("charts").get("valLosses").get("series").asInt());
    assertTrue(
        driver.getCurrentUrl().endsWith("/runs/uniform-run"), "the token leaves the address bar");
    assertEquals(metricsWeights("uniform-run"), weights(page));
  }

  @Test
  void aLongRunIsDownsampledByTheSidecar() throws Exception {
    post(
        "/v1/runs",
        """
        {"runId": "long-run", "tasks": ["python", "java", "go"], "method": "coba"}""");
    for (long step = 1;
        step <= 3000;
        step++) { // in process: 3,000 more HTTP posts would only slow the test
      registry.submit(
          "long-run",
          new RankReport(
              step,
              0,
              Map.of(
                  "python",
                  2.0 / Math.sqrt(step),
                  "java",
                  2.5 / Math.sqrt(step),
                  "go",
                  3.0 - step * 1e-4),
              null,
              null,
              null));
    }
    driver.get(base + "/runs/long-run#token=" + TOKEN);
    JsonNode page = waitFor("the long run's charts", s -> s.path("step").asLong() == 3000);
    JsonNode series = WireJson.MAPPER.readTree(get("/v1/runs/long-run/series"));
    assertEquals(
        8, series.get("stepsPerPoint").asLong(), "3,000 steps in at most 512 buckets: 8 a bucket");
    assertEquals(375, series.get("steps").size());
    assertEquals(3000, series.get("steps").get(374).asLong());
    for (JsonNode chart : series.get("charts")) {
      assertEquals(375, page.get("charts").get(chart.get("name").asText()).get("points").asInt());
    }
    assertTrue(driver.findElement(By.id("sampling")).getText().contains("one per 8 steps"));
    screenshot("dashboard-long-run.png");
  }

  @Test
  void withoutATokenConfiguredThePageJustWorks() throws Exception {
    try (RunRegistry open = RunRegistry.open(new MemoryStore(), RegistryLimits.defaults());
        SidecarServer plain =
            dev.coba.sidecar.cli.Assembly.server(open, ServerConfig.loopback()).start()) {
      open.create(
          new dev.coba.core.run.RunSpec("plain", List.of("x", "y"), "dwa", Map.of(), 1, Map.of()));
      for (long step = 1; step <= 50; step++) {
        open.submit(
            "plain",
            new RankReport(step, 0, Map.of("x", 1.0 / step, "y", 2.0 / step), null, null, null));
      }
      driver.get(
          "http://127.0.0.1:" + plain.port() + "/runs/plain"); // another origin: no token stored
      JsonNode page = waitFor("the plain run's charts", s -> s.path("step").asLong() == 50);
      assertEquals(50, page.get("charts").get("valLosses").get("points").asInt());
      assertFalse(driver.findElement(By.id("token-form")).isDisplayed());
    }
  }

  static Map<String, Double> weights(JsonNode page) {
    Map<String, Double> out = new HashMap<>();
    page.get("weights").properties().forEach(e -> out.put(e.getKey(), e.getValue().asDouble()));
    return out;
  }

  /** {@code coba_run_weight{run="...",task="..."}} of /metrics. */
  static Map<String, Double> metricsWeights(String run) throws Exception {
    Map<String, Double> out = new HashMap<>();
    Matcher m =
        Pattern.compile(
                "^coba_run_weight\\{run=\"" + Pattern.quote(run) + "\",task=\"([^\"]+)\"} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(get("/metrics"));
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    assertEquals(3, out.size(), "three tasks in /metrics");
    return out;
  }
}
