package dev.coba.sidecar.dashboard;

import dev.coba.sidecar.http.ApiException;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The dashboard's files, read from the jar once: the pages, script and style under
 * {@code dashboard/}, and uPlot from its WebJar. Only these names are served (no path ever
 * reaches the class path); anything else under {@code /dashboard/} is a JSON 404.
 */
final class ShellAssets {
  private static final String WEBJAR = "META-INF/resources/webjars/uplot/";

  /** Scripts and styles only from this origin; uPlot sets element styles, hence inline styles. */
  private static final String CSP =
      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:";

  private record Asset(byte[] bytes, String contentType) {}

  private final Map<String, Asset> byName;

  private ShellAssets(Map<String, Asset> byName) {
    this.byName = byName;
  }

  static ShellAssets load() {
    String uplot = WEBJAR + uplotVersion() + "/dist/";
    return new ShellAssets(
        Map.of(
            "index.html", asset("dashboard/index.html", "text/html; charset=utf-8"),
            "run.html", asset("dashboard/run.html", "text/html; charset=utf-8"),
            "dashboard.js", asset("dashboard/dashboard.js", "text/javascript; charset=utf-8"),
            "dashboard.css", asset("dashboard/dashboard.css", "text/css; charset=utf-8"),
            "uPlot.iife.min.js",
                asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            "uPlot.min.css", asset(uplot + "uPlot.min.css", "text/css; charset=utf-8")));
  }

  void serve(Context ctx, String name) {
    Asset a = byName.get(name);
    if (a == null) {
      throw new ApiException(
          404,
          null,
          "no such dashboard file: " + (name.length() > 40 ? name.substring(0, 40) : name));
    }
    ctx.header("Cache-Control", "no-cache")
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Security-Policy", CSP)
        .contentType(a.contentType())
        .result(a.bytes());
  }

  /** The WebJar's version, from its Maven properties: the pom names it once. */
  private static String uplotVersion() {
    Properties p = new Properties();
    try (InputStream in = open("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  private static Asset asset(String resource, String contentType) {
    try (InputStream in = open(resource)) {
      return new Asset(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream open(String resource) {
    InputStream in = ShellAssets.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(
          "the jar lacks " + resource + " (the dashboard's files, or the uPlot WebJar)");
    }
    return in;
  }
}
