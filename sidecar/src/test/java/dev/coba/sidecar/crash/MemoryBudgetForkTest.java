package dev.coba.sidecar.crash;

import static dev.coba.sidecar.crash.ForkedSidecar.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduction: a sidecar with the deploy README's heap (384 MiB, exit on OOM) and
 * runs of 1,024 tasks with one report each. It died after 31 of them, and again on every
 * restart while replaying. With the memory budget (half the heap by default) it refuses the
 * run that does not fit with 507, stays up, and restarts with every run it acknowledged.
 */
class MemoryBudgetForkTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private static final int MAX_RUNS = 400;

  @TempDir Path data;

  @Test
  void wideRunsAreRefusedWith507InsteadOfKillingTheSidecar() throws Exception {
    Process first = start();
    int created = 0;
    int status = 0;
    try {
      String url = url(first);
      while (created < MAX_RUNS) {
        String id = "wide-" + created;
        status = post(url + "/v1/runs", run(id)).statusCode();
        if (status != 201) {
          break;
        }
        status = post(url + "/v1/runs/" + id + "/steps", report(1)).statusCode();
        if (status != 200) {
          break;
        }
        created++;
      }
      assertEquals(507, status, "after " + created + " runs");
      assertTrue(created >= 10, "runs " + created);
      assertTrue(first.isAlive());
      assertEquals(200, get(url + "/healthz").statusCode());
      System.out.println("384 MiB heap: " + created + " one-report runs of 1,024 tasks, then 507");
    } finally {
      first.destroy(); // SIGTERM: a clean stop
      first.waitFor(30, TimeUnit.SECONDS);
    }

    Process second = start(); // the same heap replays everything it acknowledged
    try {
      String url = url(second);
      assertEquals(200, get(url + "/readyz").statusCode());
      String list = get(url + "/v1/runs?limit=1000").body();
      for (int i = 0; i < created; i++) {
        assertTrue(list.contains("\"wide-" + i + "\""), "wide-" + i + " lost");
      }
      assertEquals(507, post(url + "/v1/runs", run("one-more")).statusCode());
      assertTrue(second.isAlive());
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String run(String id) {
    StringBuilder tasks = new StringBuilder();
    for (int i = 0; i < 1024; i++) {
      tasks.append(i == 0 ? "" : ", ").append("\"task-").append(i).append('"');
    }
    return "{\"runId\": \"" + id + "\", \"tasks\": [" + tasks + "], \"method\": \"coba\"}";
  }

  private static String report(long step) {
    StringBuilder losses = new StringBuilder();
    for (int i = 0; i < 1024; i++) {
      losses
          .append(i == 0 ? "" : ", ")
          .append("\"task-")
          .append(i)
          .append("\": ")
          .append(2.0 + 0.001 * i);
    }
    return "{\"step\": " + step + ", \"valLosses\": {" + losses + "}}";
  }

  private Process start() throws IOException {
    return ForkedSidecar.start(data, List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError"));
  }

  private static HttpResponse<String> post(String url, String body)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
