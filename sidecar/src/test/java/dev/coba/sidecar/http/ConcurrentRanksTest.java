package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.Run;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.StepOutcome;
import dev.coba.protocol.Wire.StepReportBody;
import dev.coba.protocol.WireJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two ranks of one run, each on its own thread, post every step; whichever arrives first,
 * and however often each retries, both get the same weights for every step, and those are
 * the weights of a single-rank run fed the combined (mean, or count-weighted mean) losses.
 */
class ConcurrentRanksTest {
  static final int STEPS = 60;
  static final List<String> TASKS = List.of("python", "java", "cpp");
  static final Map<String, Object> PARAMS = Map.of("warmupSteps", 3, "historyLength", 6, "tau", 5);
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Rank 0 reports every task; rank 1 leaves out cpp, and gives counts on even steps. */
  static RankReport report(long step, int rank) {
    Random r = new Random(step * 31 + rank);
    Map<String, Double> losses = new LinkedHashMap<>();
    for (int t = 0; t < TASKS.size(); t++) {
      if (rank == 1 && t == 2) {
        continue;
      }
      losses.put(TASKS.get(t), 3.0 / (1 + 0.05 * step * (t + 1)) + 0.2 * r.nextDouble());
    }
    Map<String, Double> counts = new LinkedHashMap<>();
    if (step % 2 == 0) {
      counts.put("python", rank == 0 ? 512.0 : 384.0);
      counts.put("java", rank == 0 ? 100.0 : 300.0);
    }
    return new RankReport(step, rank, losses, Map.of(), Map.of(), counts);
  }

  static String json(RankReport r) {
    return new String(
        WireJson.write(StepReportBody.of(r)), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The expected weights: one rank reporting, per task, the mean over the ranks that reported it. */
  static List<Map<String, Double>> expected() {
    Run single = Run.create(new RunSpec("expected", TASKS, "coba", PARAMS, 1, Map.of()), 1000);
    List<Map<String, Double>> out = new ArrayList<>();
    for (long step = 1; step <= STEPS; step++) {
      RankReport a = report(step, 0);
      RankReport b = report(step, 1);
      Map<String, Double> mean = new LinkedHashMap<>();
      for (String task : TASKS) {
        double sum = 0;
        double weight = 0;
        for (RankReport x : List.of(a, b)) {
          Double v = x.valLosses().get(task);
          if (v != null) {
            double c = x.counts().getOrDefault(task, 1.0);
            sum += c * v;
            weight += c;
          }
        }
        mean.put(task, sum / weight);
      }
      StepOutcome o = single.submit(new RankReport(step, 0, mean, Map.of(), Map.of(), Map.of()));
      out.add(((StepOutcome.Complete) o).weights().asMap());
    }
    return out;
  }

  static Map<String, Double> weights(JsonNode body) {
    Map<String, Double> w = new LinkedHashMap<>();
    body.get("weights").properties().forEach(e -> w.put(e.getKey(), e.getValue().doubleValue()));
    return w;
  }

  static void create(String runId) {
    String body =
        "{\"runId\": \""
            + runId
            + "\", \"tasks\": [\"python\", \"java\", \"cpp\"], \"method\": \"coba\","
            + " \"params\": {\"warmupSteps\": 3, \"historyLength\": 6, \"tau\": 5}, \"worldSize\": 2}";
    assertEquals(201, server.post("/v1/runs", body).status());
  }

  /** Posts until the step is complete (202 while the other rank is missing), retrying the same body. */
  static Map<String, Double> postUntilComplete(String runId, RankReport r) {
    String body = json(r);
    for (int attempt = 0; attempt < 1000; attempt++) {
      Response resp = server.post("/v1/runs/" + runId + "/steps", body);
      if (resp.status() == 200) {
        assertEquals(r.step(), resp.json().get("step").asLong());
        return weights(resp.json());
      }
      assertEquals(202, resp.status(), resp::toString);
      Response poll = server.get("/v1/runs/" + runId + "/weights?step=" + r.step() + "&waitMs=20");
      assertTrue(poll.status() == 200 || poll.status() == 202, poll::toString);
    }
    throw new AssertionError("step " + r.step() + " never completed");
  }

  @Test
  void eachOrderInTurnWithRetries() throws Exception {
    String runId = "ordered";
    create(runId);
    Map<Integer, List<Map<String, Double>>> got = new ConcurrentHashMap<>();
    List<CountDownLatch> leaderPending = new ArrayList<>();
    for (int s = 0; s <= STEPS; s++) {
      leaderPending.add(new CountDownLatch(1));
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> ranks = new ArrayList<>();
    for (int rank = 0; rank < 2; rank++) {
      int me = rank;
      got.put(me, new ArrayList<>());
      ranks.add(
          pool.submit(
              () -> {
                for (long step = 1; step <= STEPS; step++) {
                  int leader =
                      (int) (step % 2); // odd steps: rank 1 first; even steps: rank 0 first
                  RankReport r = report(step, me);
                  if (me == leader) {
                    Response first = server.post("/v1/runs/" + runId + "/steps", json(r));
                    assertEquals(202, first.status(), first::toString);
                    assertEquals(
                        202,
                        server.post("/v1/runs/" + runId + "/steps", json(r)).status(),
                        "a retry while pending");
                    leaderPending.get((int) step).countDown();
                    Response polled =
                        server.get("/v1/runs/" + runId + "/weights?step=" + step + "&waitMs=10000");
                    assertEquals(200, polled.status(), polled::toString);
                    Map<String, Double> w = postUntilComplete(runId, r); // a retry after completion
                    assertEquals(weights(polled.json()), w);
                    got.get(me).add(w);
                  } else {
                    assertTrue(leaderPending.get((int) step).await(10, TimeUnit.SECONDS));
                    Response second = server.post("/v1/runs/" + runId + "/steps", json(r));
                    assertEquals(200, second.status(), second::toString);
                    assertEquals(weights(second.json()), postUntilComplete(runId, r));
                    got.get(me).add(weights(second.json()));
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : ranks) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    List<Map<String, Double>> expected = expected();
    assertEquals(expected, got.get(0));
    assertEquals(expected, got.get(1));
  }

  @Test
  void racingRanksWithConcurrentRetries() throws Exception {
    String runId = "racing";
    create(runId);
    CyclicBarrier barrier = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<List<Map<String, Double>>>> ranks = new ArrayList<>();
    for (int rank = 0; rank < 2; rank++) {
      int me = rank;
      ranks.add(
          pool.submit(
              () -> {
                List<Map<String, Double>> mine = new ArrayList<>();
                for (long step = 1; step <= STEPS; step++) {
                  RankReport r = report(step, me);
                  barrier.await(10, TimeUnit.SECONDS);
                  // the same body twice at once: a retry racing the original
                  CompletableFuture<Map<String, Double>> retry =
                      CompletableFuture.supplyAsync(() -> postUntilComplete(runId, r), pool);
                  Map<String, Double> w = postUntilComplete(runId, r);
                  assertEquals(w, retry.get(30, TimeUnit.SECONDS));
                  mine.add(w);
                }
                return mine;
              }));
    }
    List<Map<String, Double>> rank0 = ranks.get(0).get(120, TimeUnit.SECONDS);
    List<Map<String, Double>> rank1 = ranks.get(1).get(120, TimeUnit.SECONDS);
    pool.shutdown();
    List<Map<String, Double>> expected = expected();
    assertEquals(expected, rank0);
    assertEquals(expected, rank1);
    JsonNode state = server.get("/v1/runs/" + runId + "/state").json();
    assertEquals(2 * STEPS, state.get("reports").size(), "each report stored once, retries not");
  }
}
