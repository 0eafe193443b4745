package dev.coba.sidecar.crash;

import static dev.coba.sidecar.crash.ForkedSidecar.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.Report;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.StepOutcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forked sidecar takes reports from several clients, is killed with SIGKILL in the middle
 * of it, and is restarted on the same data directory: every acknowledged report is there, and
 * the weights it answers from then on equal those of a run that was never interrupted.
 */
class KillAndRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static final List<String> TASKS = List.of("python", "java", "go");
  private static final int RUNS = 4;
  private static final int STEPS = 400;

  @TempDir Path data;

  @Test
  void acknowledgedReportsSurviveSigkill() throws Exception {
    List<List<Report>> losses = new ArrayList<>();
    for (int r = 0; r < RUNS; r++) {
      losses.add(losses(STEPS, r));
    }
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();

    Process first = start();
    String url = url(first);
    for (int r = 0; r < RUNS; r++) {
      post(url + "/v1/runs", createBody("run-" + r));
    }
    CountDownLatch someDone = new CountDownLatch(RUNS);
    List<Thread> clients = new ArrayList<>();
    for (int r = 0; r < RUNS; r++) {
      String id = "run-" + r;
      List<Report> reports = losses.get(r);
      Thread t =
          new Thread(
              () -> {
                for (Report rep : reports) {
                  try {
                    HttpResponse<String> resp =
                        post(url + "/v1/runs/" + id + "/steps", stepBody(rep));
                    if (resp.statusCode() != 200) {
                      return;
                    }
                    acknowledged.put(id, rep.step());
                    if (rep.step() == 50) {
                      someDone.countDown();
                    }
                  } catch (IOException | InterruptedException e) {
                    return; // the sidecar died under us: this report was not acknowledged
                  }
                }
              });
      t.start();
      clients.add(t);
    }
    assertTrue(someDone.await(60, TimeUnit.SECONDS), "clients did not get going");
    first.destroyForcibly(); // SIGKILL
    first.waitFor(10, TimeUnit.SECONDS);
    for (Thread t : clients) {
      t.join(30_000);
    }

    Process second = start();
    try {
      String again = url(second);
      for (int r = 0; r < RUNS; r++) {
        String id = "run-" + r;
        JsonNode run = JSON.readTree(get(again + "/v1/runs/" + id).body());
        long stored = run.get("step").asLong();
        long acked = acknowledged.getOrDefault(id, 0L);
        assertTrue(
            stored >= acked,
            id + ": acknowledged step " + acked + " but the restarted sidecar has " + stored);
        assertTrue(stored < STEPS, id + ": the kill came too late to test anything");

        Run uninterrupted =
            Run.create(new RunSpec(id, TASKS, "coba", params(), 1, Map.of()), 10_000);
        StepOutcome.Complete expected = null;
        for (Report rep : losses.get(r)) {
          expected = (StepOutcome.Complete) uninterrupted.submit(RankReport.of(rep));
          if (rep.step() == stored) {
            assertEquals(
                JSON.valueToTree(expected.weights().asMap()),
                run.get("weights"),
                id + " after restart");
          }
          if (rep.step() > stored) { // the trainer resumes where the sidecar is
            JsonNode answer =
                JSON.readTree(post(again + "/v1/runs/" + id + "/steps", stepBody(rep)).body());
            assertEquals(
                JSON.valueToTree(expected.weights().asMap()),
                answer.get("weights"),
                id + " step " + rep.step());
          }
        }
      }
    } finally {
      second.destroy();
      second.waitFor(20, TimeUnit.SECONDS);
    }
  }

  private static Map<String, Object> params() {
    return Map.of("warmupSteps", 10, "historyLength", 20);
  }

  private static List<Report> losses(int steps, long seed) {
    Random rnd = new Random(seed);
    List<Report> out = new ArrayList<>();
    for (int s = 1; s <= steps; s++) {
      Map<String, Double> l = new LinkedHashMap<>();
      for (int i = 0; i < TASKS.size(); i++) {
        l.put(
            TASKS.get(i),
            (1 + i) * Math.exp(-0.003 * (i + 1) * s) * (1 + 0.02 * rnd.nextGaussian()) + 0.1);
      }
      out.add(Report.of(s, l));
    }
    return out;
  }

  private static String createBody(String id) throws IOException {
    return JSON.writeValueAsString(
        Map.of("runId", id, "tasks", TASKS, "method", "coba", "params", params()));
  }

  private static String stepBody(Report r) throws IOException {
    return JSON.writeValueAsString(Map.of("step", r.step(), "rank", 0, "valLosses", r.valLosses()));
  }

  private Process start() throws IOException {
    return ForkedSidecar.start(data, List.of());
  }

  private static HttpResponse<String> post(String url, String body)
      throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
