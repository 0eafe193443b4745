package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Methods;
import dev.coba.protocol.OpenApiContract;
import dev.coba.sidecar.runs.FailingStore;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every route and every status that openapi.yaml documents, against real servers; every
 * response is checked against the yaml (status documented, content type, body shape), and
 * the last test checks that every documented (operation, status) was seen.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutesTest {
  static final String TOKEN = "s3cret-token";
  static OpenApiContract contract;
  static TestServer open;
  static final Set<String> seen = ConcurrentHashMap.newKeySet();
  static final List<TestServer> servers = new ArrayList<>();

  @BeforeAll
  static void start() {
    contract = OpenApiContract.load();
    open = server(null, new MemoryStore(), RegistryLimits.defaults());
  }

  @AfterAll
  static void stop() {
    servers.forEach(TestServer::close);
  }

  static TestServer server(String token, Store store, RegistryLimits limits) {
    TestServer s = TestServer.start(token, store, limits);
    s.observer = RoutesTest::check;
    servers.add(s);
    return s;
  }

  /** Every response: documented status, content type and body shape; remembered for coverage. */
  static void check(Response r) {
    List<String> problems = contract.problems(r);
    assertTrue(problems.isEmpty(), () -> r + "\n  " + String.join("\n  ", problems));
    String template = contract.template(r.path());
    if (contract.operation(r.method(), template) != null) {
      seen.add(r.method() + " " + template + " " + r.status());
    }
  }

  static String run(String runId, int worldSize) {
    return """
        {"runId": "%s", "tasks": ["python", "java"], "method": "coba",
         "params": {"warmupSteps": 2, "historyLength": 4, "tau": 5}, "worldSize": %d,
         "initialLosses": {"python": 2.3}}"""
        .formatted(runId, worldSize);
  }

  static String report(long step, int rank, double python, double java) {
    return """
        {"step": %d, "rank": %d, "valLosses": {"python": %s, "java": %s}}"""
        .formatted(step, rank, python, java);
  }

  static Response expect(int status, Response r) {
    assertEquals(status, r.status(), r::toString);
    return r;
  }

  static String big() {
    char[] pad = new char[Bodies.MAX_BYTES];
    Arrays.fill(pad, ' ');
    return "{\"step\": 1," + new String(pad) + "\"rank\": 0}";
  }

  // ---------------------------------------------------------------- the contract itself

  @Test
  void openapiYamlParsesAsOpenApi3WithoutMessages() {
    assertNotNull(contract.api, () -> "not parsed: " + contract.parsed.getMessages());
    assertEquals(List.of(), contract.parsed.getMessages());
    assertTrue(contract.api.getOpenapi().startsWith("3."), contract.api.getOpenapi());
  }

  @Test
  void theServerRegistersExactlyTheOperationsOfTheYaml() {
    assertEquals(new TreeSet<>(contract.operations()), new TreeSet<>(open.server.routes()));
  }

  // ---------------------------------------------------------------- operations

  @Test
  void healthAndReadiness() {
    assertEquals("ok", expect(200, open.get("/healthz")).json().get("status").asText());
    assertEquals("ready", expect(200, open.get("/readyz")).json().get("status").asText());
  }

  @Test
  void readinessIs503OnceTheRegistryIsClosed() {
    TestServer s = server(null, new MemoryStore(), RegistryLimits.defaults());
    s.registry.close();
    Response r = expect(503, s.get("/readyz"));
    assertNotEquals("ready", r.json().get("status").asText());
    expect(200, s.get("/healthz")); // alive all the same
  }

  @Test
  void metricsInPrometheusText() {
    expect(201, open.post("/v1/runs", run("metrics-run", 1)));
    expect(200, open.post("/v1/runs/metrics-run/steps", report(1, 0, 2.0, 2.1)));
    Response r = expect(200, open.get("/metrics"));
    assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
    String text = r.body();
    assertTrue(text.contains("coba_runs "), text);
    assertTrue(
        text.contains("coba_memory_budget_bytes ") && text.contains("coba_memory_used_bytes "),
        text);
    assertTrue(text.contains("coba_long_polls "), text);
    assertTrue(
        text.contains(
            "coba_http_requests_total{method=\"POST\",route=\"/v1/runs/{runId}/steps\",status=\"200\"}"),
        text);
    assertTrue(text.contains("coba_http_request_duration_seconds_bucket{"), text);
    assertTrue(text.contains("coba_reports_total{outcome=\"complete\"}"), text);
    assertTrue(text.contains("coba_run_weight{run=\"metrics-run\",task=\"python\"}"), text);
    assertTrue(text.contains("coba_run_step{run=\"metrics-run\"} 1\n"), text);
    open.get("/no/such/route/at/all");
    assertFalse(
        expect(200, open.get("/metrics")).body().contains("/no/such/route"),
        "unknown paths are not labels");
  }

  @Test
  void methodsListEveryMethodWithItsParameters() {
    JsonNode methods = expect(200, open.get("/v1/methods")).json().get("methods");
    assertEquals(
        Methods.all().stream().map(MethodDescriptor::name).toList(),
        methods.findValuesAsText("name").stream()
            .filter(n -> Methods.all().stream().anyMatch(d -> d.name().equals(n)))
            .distinct()
            .toList());
    JsonNode coba = methods.get(0);
    assertEquals("coba", coba.get("name").asText());
    assertEquals("linear", coba.get("objective").asText());
    JsonNode warmup = coba.get("params").get(0);
    assertEquals("warmupSteps", warmup.get("name").asText());
    assertEquals("integer", warmup.get("type").asText());
    assertEquals(20, warmup.get("default").asLong());
    assertEquals(0, warmup.get("minimum").asLong());
    assertTrue(coba.toString().contains("\"enum\":[\"paper\",\"mftcoder\"]"), coba.toString());
  }

  // ---------------------------------------------------------------- runs

  @Test
  void createIsIdempotentOnRunIdAndConflictsOnAnotherDefinition() {
    Response created = expect(201, open.post("/v1/runs", run("create-1", 1)));
    JsonNode run = created.json();
    assertEquals("create-1", run.get("runId").asText());
    assertTrue(run.get("step").isNull());
    assertEquals(0.5, run.get("weights").get("python").asDouble());
    assertEquals(20 * 0 + 2, run.get("params").get("warmupSteps").asInt());
    assertEquals("paper", run.get("params").get("variant").asText(), "defaults resolved");
    Response again = expect(200, open.post("/v1/runs", run("create-1", 1)));
    assertEquals(created.body(), again.body());
    Response other = expect(409, open.post("/v1/runs", run("create-1", 2)));
    assertEquals("runId", other.errorField());
    Response generated =
        expect(201, open.post("/v1/runs", "{\"tasks\": [\"a\"], \"method\": \"uniform\"}"));
    assertTrue(
        generated.json().get("runId").asText().matches("run-[0-9a-f]{16}"), generated.body());
    assertEquals(1, generated.json().get("worldSize").asInt());
    expect(400, open.post("/v1/runs", "{\"tasks\": [], \"method\": \"coba\"}"));
    expect(413, open.post("/v1/runs", big()));
    expect(415, open.send("POST", "/v1/runs", run("create-2", 1), "text/plain", null));
  }

  @Test
  void listPagesThroughRunsInIdOrder() {
    TestServer s = server(null, new MemoryStore(), RegistryLimits.defaults());
    List<String> ids = List.of("p-c", "p-a", "p-e", "p-b", "p-d");
    ids.forEach(id -> expect(201, s.post("/v1/runs", run(id, 1))));
    List<String> listed = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonNode page =
          expect(200, s.get("/v1/runs?limit=2" + (after == null ? "" : "&after=" + after))).json();
      page.get("runs").forEach(r -> listed.add(r.get("runId").asText()));
      after = page.get("next").isNull() ? null : page.get("next").asText();
      pages++;
    } while (after != null && pages < 10);
    assertEquals(List.of("p-a", "p-b", "p-c", "p-d", "p-e"), listed);
    assertEquals(5, expect(200, s.get("/v1/runs")).json().get("runs").size());
    assertEquals("limit", expect(400, s.get("/v1/runs?limit=0")).errorField());
  }

  @Test
  void getAndDeleteARun() {
    expect(201, open.post("/v1/runs", run("gone-soon", 1)));
    assertEquals(
        "gone-soon", expect(200, open.get("/v1/runs/gone-soon")).json().get("runId").asText());
    assertEquals("runId", expect(400, open.get("/v1/runs/bad%20id")).errorField());
    expect(204, open.delete("/v1/runs/gone-soon"));
    assertEquals("runId", expect(404, open.get("/v1/runs/gone-soon")).errorField());
    expect(404, open.delete("/v1/runs/gone-soon"));
    expect(400, open.delete("/v1/runs/bad%20id"));
  }

  // ---------------------------------------------------------------- steps

  @Test
  void twoRanksReportAStep() {
    expect(201, open.post("/v1/runs", run("ranks", 2)));
    JsonNode pending =
        expect(202, open.post("/v1/runs/ranks/steps", report(1, 0, 2.0, 2.2))).json();
    assertEquals(false, pending.get("complete").asBoolean());
    assertEquals(1, pending.get("received").asInt());
    assertEquals(2, pending.get("worldSize").asInt());
    expect(202, open.post("/v1/runs/ranks/steps", report(1, 0, 2.0, 2.2))); // a retry while pending
    Response done = expect(200, open.post("/v1/runs/ranks/steps", report(1, 1, 2.2, 2.0)));
    assertTrue(done.json().get("complete").asBoolean());
    assertEquals(1, done.json().get("step").asLong());
    assertEquals(
        done.body(), expect(200, open.post("/v1/runs/ranks/steps", report(1, 0, 2.0, 2.2))).body());
    assertEquals(
        "step",
        expect(409, open.post("/v1/runs/ranks/steps", report(1, 0, 2.0, 9.9))).errorField());
    assertEquals(
        "runId",
        expect(404, open.post("/v1/runs/nobody/steps", report(1, 0, 2.0, 2.2))).errorField());
    assertEquals(
        "valLosses.python",
        expect(
                400,
                open.post(
                    "/v1/runs/ranks/steps", "{\"step\": 2, \"valLosses\": {\"python\": NaN}}"))
            .errorField());
    expect(413, open.post("/v1/runs/ranks/steps", big()));
    expect(415, open.send("POST", "/v1/runs/ranks/steps", report(2, 0, 1, 1), null, null));
  }

  @Test
  void weightsNowAfterAStepAndLongPolled() throws Exception {
    expect(201, open.post("/v1/runs", run("weights", 2)));
    JsonNode before = expect(200, open.get("/v1/runs/weights/weights")).json();
    assertTrue(before.get("step").isNull());
    assertTrue(before.get("complete").asBoolean());
    expect(202, open.post("/v1/runs/weights/steps", report(1, 0, 2.0, 2.2)));
    JsonNode waiting = expect(202, open.get("/v1/runs/weights/weights?step=1&waitMs=50")).json();
    assertEquals(1, waiting.get("received").asInt());
    CompletableFuture<Response> poll =
        CompletableFuture.supplyAsync(
            () -> open.get("/v1/runs/weights/weights?step=1&waitMs=10000"));
    Thread.sleep(200);
    Response completed = expect(200, open.post("/v1/runs/weights/steps", report(1, 1, 2.1, 2.3)));
    Response polled = expect(200, poll.get());
    assertEquals(completed.body(), polled.body());
    assertEquals(completed.body(), expect(200, open.get("/v1/runs/weights/weights?step=1")).body());
    assertEquals(1, expect(200, open.get("/v1/runs/weights/weights")).json().get("step").asLong());
    assertEquals("step", expect(404, open.get("/v1/runs/weights/weights?step=7")).errorField());
    assertEquals("runId", expect(404, open.get("/v1/runs/nobody/weights")).errorField());
    assertEquals(
        "waitMs",
        expect(400, open.get("/v1/runs/weights/weights?step=1&waitMs=60001")).errorField());
  }

  @Test
  void historyHasLossesWeightsAndDiagnosticsByTask() {
    expect(201, open.post("/v1/runs", run("history", 1)));
    for (int step = 1; step <= 5; step++) {
      expect(
          200,
          open.post(
              "/v1/runs/history/steps", report(step, 0, 2.0 - 0.1 * step, 2.1 - 0.05 * step)));
    }
    JsonNode steps =
        expect(200, open.get("/v1/runs/history/history?from=2&to=4")).json().get("steps");
    assertEquals(3, steps.size());
    JsonNode first = steps.get(0);
    assertEquals(2, first.get("step").asLong());
    assertEquals(2.0 - 0.1 * 2, first.get("valLosses").get("python").asDouble());
    JsonNode diagnostics = first.get("diagnostics");
    assertTrue(diagnostics.has("df"), diagnostics.toString());
    JsonNode perTask =
        diagnostics.properties().stream()
            .filter(e -> e.getValue().isObject())
            .findFirst()
            .orElseThrow()
            .getValue();
    assertTrue(perTask.has("python") && perTask.has("java"), diagnostics.toString());
    assertEquals(5, expect(200, open.get("/v1/runs/history/history")).json().get("steps").size());
    assertEquals("from", expect(400, open.get("/v1/runs/history/history?from=abc")).errorField());
    expect(404, open.get("/v1/runs/nobody/history"));
  }

  static String used(long step, int rank, double python, double java, String weightsUsed) {
    return report(step, rank, python, java)
        .replaceFirst("}$", ", \"weightsUsed\": " + weightsUsed + "}");
  }

  @Test
  void weightsUsedIsPartOfTheReportAndShownInTheHistory() {
    expect(201, open.post("/v1/runs", run("used", 2)));
    String half = "{\"python\": 0.5, \"java\": 0.5}";
    String r0 = used(1, 0, 2.0, 2.2, half);
    expect(202, open.post("/v1/runs/used/steps", r0));
    Response done = expect(200, open.post("/v1/runs/used/steps", used(1, 1, 2.2, 2.0, half)));
    assertEquals(done.body(), expect(200, open.post("/v1/runs/used/steps", r0)).body(), "a retry");
    assertEquals(
        "step",
        expect(
                409,
                open.post(
                    "/v1/runs/used/steps",
                    used(1, 0, 2.0, 2.2, "{\"python\": 0.6, \"java\": 0.4}")))
            .errorField());
    assertEquals(
        "step", expect(409, open.post("/v1/runs/used/steps", report(1, 0, 2.0, 2.2))).errorField());
    // step 2: rank 0 trained with the weights answered after step 1, rank 1 fell back to older ones
    String answered = done.json().get("weights").toString();
    expect(
        202,
        open.post(
            "/v1/runs/used/steps", used(2, 1, 1.9, 2.1, "{\"python\": 0.25, \"java\": 0.75}")));
    Response second = expect(200, open.post("/v1/runs/used/steps", used(2, 0, 1.8, 2.1, answered)));
    // step 3: neither rank says
    expect(202, open.post("/v1/runs/used/steps", report(3, 0, 1.7, 2.0)));
    expect(200, open.post("/v1/runs/used/steps", report(3, 1, 1.8, 2.0)));

    JsonNode steps = expect(200, open.get("/v1/runs/used/history")).json().get("steps");
    assertEquals(0.5, steps.get(0).get("weightsUsed").get("python").asDouble());
    assertFalse(steps.get(0).has("weightsUsedDiffer"), steps.get(0).toString());
    assertEquals(done.json().get("weights"), steps.get(1).get("weightsUsed"), "the lowest rank's");
    assertTrue(steps.get(1).get("weightsUsedDiffer").asBoolean(), steps.get(1).toString());
    assertEquals(second.json().get("weights"), steps.get(1).get("weights"));
    assertFalse(
        steps.get(2).has("weightsUsed") || steps.get(2).has("weightsUsedDiffer"),
        steps.get(2).toString());

    // the checkpoint keeps it: a restored copy has the same history
    String state = expect(200, open.get("/v1/runs/used/state")).body();
    assertTrue(state.contains("\"weightsUsed\":{\"python\":0.5,\"java\":0.5}"), state);
    expect(
        200,
        open.put(
            "/v1/runs/used-copy/state",
            state.replace("\"runId\":\"used\"", "\"runId\":\"used-copy\"")));
    assertEquals(
        expect(200, open.get("/v1/runs/used/history")).json().get("steps"),
        expect(200, open.get("/v1/runs/used-copy/history")).json().get("steps"));
  }

  @Test
  void seriesHasAPointPerStepAndALinePerTask() {
    expect(201, open.post("/v1/runs", run("curves", 1)));
    for (int step = 1; step <= 5; step++) {
      expect(
          200,
          open.post("/v1/runs/curves/steps", report(step, 0, 2.0 - 0.1 * step, 2.1 - 0.05 * step)));
    }
    JsonNode series = expect(200, open.get("/v1/runs/curves/series")).json();
    assertEquals(5, series.get("steps").size());
    assertEquals(5, series.get("step").asLong());
    JsonNode weights = series.get("charts").get(0);
    assertEquals("weights", weights.get("name").asText());
    assertEquals(2, weights.get("lines").size());
    assertEquals(
        2, expect(200, open.get("/v1/runs/curves/series?points=2")).json().get("steps").size());
    assertEquals("points", expect(400, open.get("/v1/runs/curves/series?points=1")).errorField());
    assertEquals("runId", expect(400, open.get("/v1/runs/bad%20id/series")).errorField());
    expect(404, open.get("/v1/runs/nobody/series"));
  }

  // ---------------------------------------------------------------- checkpoints

  @Test
  void stateRoundTripsAndRestoresIntoANewRun() {
    expect(201, open.post("/v1/runs", run("saved", 1)));
    for (int step = 1; step <= 4; step++) {
      expect(200, open.post("/v1/runs/saved/steps", report(step, 0, 2.0 - 0.1 * step, 2.1)));
    }
    String state = expect(200, open.get("/v1/runs/saved/state")).body();
    String copy = state.replace("\"runId\":\"saved\"", "\"runId\":\"copy\"");
    Response restored = expect(200, open.put("/v1/runs/copy/state", copy));
    assertEquals(4, restored.json().get("step").asLong());
    assertEquals(
        open.get("/v1/runs/saved/weights").json().get("weights"),
        open.get("/v1/runs/copy/weights").json().get("weights"));
    Response next1 = expect(200, open.post("/v1/runs/saved/steps", report(5, 0, 1.3, 2.2)));
    Response next2 = expect(200, open.post("/v1/runs/copy/steps", report(5, 0, 1.3, 2.2)));
    assertEquals(next1.json().get("weights"), next2.json().get("weights"));
    assertEquals(
        copy,
        expect(200, open.get("/v1/runs/copy/state"))
            .body()
            .replace(",{\"step\":5,\"rank\":0,\"valLosses\":{\"python\":1.3,\"java\":2.2}}", ""));
    assertEquals("run.runId", expect(400, open.put("/v1/runs/other/state", copy)).errorField());
    expect(400, open.get("/v1/runs/bad%20id/state"));
    expect(404, open.get("/v1/runs/nobody/state"));
    expect(413, open.put("/v1/runs/copy/state", big()));
    expect(415, open.send("PUT", "/v1/runs/copy/state", copy, "application/xml", null));
  }

  @Test
  void rewindDropsLaterSteps() {
    expect(201, open.post("/v1/runs", run("rewound", 1)));
    List<String> answers = new ArrayList<>();
    for (int step = 1; step <= 6; step++) {
      answers.add(
          expect(
                  200,
                  open.post(
                      "/v1/runs/rewound/steps",
                      report(step, 0, 2.0 - 0.1 * step, 2.1 + 0.01 * step)))
              .body());
    }
    JsonNode rewound = expect(200, open.post("/v1/runs/rewound/rewind", "{\"step\": 3}")).json();
    assertEquals(3, rewound.get("step").asLong());
    assertEquals(
        answers.get(3),
        expect(200, open.post("/v1/runs/rewound/steps", report(4, 0, 2.0 - 0.4, 2.14))).body());
    assertEquals(
        "step",
        expect(400, open.post("/v1/runs/rewound/rewind", "{\"step\": \"3\"}")).errorField());
    expect(404, open.post("/v1/runs/nobody/rewind", "{\"step\": 3}"));
    expect(413, open.post("/v1/runs/rewound/rewind", big()));
    expect(415, open.send("POST", "/v1/runs/rewound/rewind", "{\"step\": 3}", "text/json", null));
  }

  @Test
  void limitsAnswer409() {
    TestServer s = server(null, new MemoryStore(), new RegistryLimits(1, 2));
    expect(201, s.post("/v1/runs", run("only", 1)));
    for (int step = 1; step <= 5; step++) {
      expect(200, s.post("/v1/runs/only/steps", report(step, 0, 2.0 - 0.1 * step, 2.1)));
    }
    assertEquals("step", expect(409, s.post("/v1/runs/only/rewind", "{\"step\": 1}")).errorField());
    String state = expect(200, s.get("/v1/runs/only/state")).body();
    assertEquals(
        "runId",
        expect(409, s.put("/v1/runs/second/state", state.replace("\"only\"", "\"second\"")))
            .errorField());
    expect(409, s.post("/v1/runs", run("second", 1)));
  }

  static String wideRun(String runId, String method) {
    StringBuilder tasks = new StringBuilder();
    for (int i = 0; i < 1024; i++) {
      tasks.append(i == 0 ? "" : ", ").append("\"task-").append(i).append('"');
    }
    return "{\"runId\": \""
        + runId
        + "\", \"tasks\": ["
        + tasks
        + "], \"method\": \""
        + method
        + "\"}";
  }

  static String wideReport(long step) {
    StringBuilder losses = new StringBuilder();
    for (int i = 0; i < 1024; i++) {
      losses
          .append(i == 0 ? "" : ", ")
          .append("\"task-")
          .append(i)
          .append("\": ")
          .append(2.0 + 0.001 * i - 0.01 * step);
    }
    return "{\"step\": " + step + ", \"valLosses\": {" + losses + "}}";
  }

  @Test
  void aFullMemoryBudgetAnswers507AndStoresNothing() {
    MemoryStore store = new MemoryStore();
    TestServer s = server(null, store, new RegistryLimits(100, 50, 1L << 20));
    expect(201, s.post("/v1/runs", wideRun("wide", "uniform")));
    Response refused = null;
    for (int step = 1; step <= 50 && refused == null; step++) {
      Response r = s.post("/v1/runs/wide/steps", wideReport(step));
      if (r.status() == 507) {
        refused = r;
      } else {
        expect(200, r);
      }
    }
    assertNotNull(refused, "the budget never filled");
    assertEquals("step", refused.errorField());
    assertTrue(refused.json().get("error").asText().contains("memory budget"), refused.body());
    long events = store.bytesSinceRewrite();
    String state = expect(200, s.get("/v1/runs/wide/state")).body();
    assertEquals("tasks", expect(507, s.post("/v1/runs", wideRun("wider", "coba"))).errorField());
    assertEquals(
        "run",
        expect(507, s.put("/v1/runs/copy/state", state.replace("\"wide\"", "\"copy\"")))
            .errorField());
    assertEquals(events, store.bytesSinceRewrite(), "nothing journaled");
    assertEquals(state, s.get("/v1/runs/wide/state").body());
    expect(404, s.get("/v1/runs/copy"));
    expect(404, s.get("/v1/runs/wider"));
    expect(204, s.delete("/v1/runs/wide"));
    expect(201, s.post("/v1/runs", wideRun("again", "uniform")));
  }

  @Test
  void aFailingStoreAnswers503AndChangesNothing() {
    FailingStore store = new FailingStore();
    TestServer s = server(null, store, RegistryLimits.defaults());
    expect(201, s.post("/v1/runs", run("durable", 1)));
    expect(200, s.post("/v1/runs/durable/steps", report(1, 0, 2.0, 2.1)));
    String state = s.get("/v1/runs/durable/state").body();
    store.failing = true;
    String log =
        stderrOf(
            () -> {
              expect(503, s.post("/v1/runs", run("not-created", 1)));
              expect(503, s.post("/v1/runs/durable/steps", report(2, 0, 1.9, 2.0)));
              expect(503, s.post("/v1/runs/durable/rewind", "{\"step\": 0}"));
              expect(503, s.put("/v1/runs/durable/state", state));
              expect(
                  503,
                  s.put("/v1/runs/restored/state", state.replace("\"durable\"", "\"restored\"")));
              expect(503, s.delete("/v1/runs/durable"));
            });
    store.failing = false;
    // one line per refused change, no stack trace each (they flooded the log of a full disk)
    assertEquals(6, log.lines().filter(l -> l.contains("store failure on")).count(), log);
    assertFalse(log.contains("\tat "), log);
    assertEquals(state, s.get("/v1/runs/durable/state").body());
    expect(404, s.get("/v1/runs/not-created"));
    expect(404, s.get("/v1/runs/restored"));
    expect(200, s.post("/v1/runs/durable/steps", report(2, 0, 1.9, 2.0)));
  }

  /** What {@code action} writes to standard error, where the server logs (slf4j-simple). */
  private static String stderrOf(Runnable action) {
    java.io.PrintStream was = System.err;
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(was);
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- auth, unknown routes

  @Test
  void everyProtectedOperationAnswers401WithoutTheToken() {
    TestServer s = server(TOKEN, new MemoryStore(), RegistryLimits.defaults());
    Set<String> checked = new LinkedHashSet<>();
    contract
        .api
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (m, op) -> {
                          if (!op.getResponses().containsKey("401")) {
                            return;
                          }
                          String concrete = path.replace("{runId}", "r1");
                          boolean body = m.name().equals("POST") || m.name().equals("PUT");
                          Response r =
                              s.send(
                                  m.name(),
                                  concrete,
                                  body ? "{}" : null,
                                  body ? "application/json" : null,
                                  null);
                          assertEquals(401, r.status(), r::toString);
                          assertEquals(
                              "Bearer", r.headers().firstValue("WWW-Authenticate").orElse(""));
                          checked.add(m.name() + " " + path);
                        }));
    assertEquals(contract.operations().size() - 2, checked.size(), "all but /healthz and /readyz");
  }

  /** Every operation, with a concrete path and a body where it takes one. */
  static List<String[]> everyOperation() {
    List<String[]> ops = new ArrayList<>();
    contract
        .api
        .getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (m, op) ->
                            ops.add(new String[] {m.name(), path, path.replace("{runId}", "r1")})));
    return ops;
  }

  @Test
  void everyOperationRefusesAMethodOverride() {
    for (String[] op : everyOperation()) {
      boolean body = op[0].equals("POST") || op[0].equals("PUT");
      Response r =
          open.sendWith(op[0], op[2], body ? "{}" : null, "X-HTTP-Method-Override", "DELETE");
      assertEquals(400, r.status(), r::toString);
      assertEquals("X-HTTP-Method-Override", r.errorField());
    }
  }

  @Test
  void everyOperationButTheProbesRefusesAForeignOrigin() {
    TestServer s = server(TOKEN, new MemoryStore(), RegistryLimits.defaults());
    Set<String> checked = new LinkedHashSet<>();
    for (String[] op : everyOperation()) {
      if (op[1].equals("/healthz") || op[1].equals("/readyz")) {
        continue;
      }
      boolean body = op[0].equals("POST") || op[0].equals("PUT");
      Response r =
          s.sendWith(op[0], op[2], body ? "{}" : null, "Origin", "http://attacker.example");
      assertEquals(403, r.status(), r::toString);
      assertEquals("Origin", r.errorField());
      checked.add(op[0] + " " + op[1]);
    }
    assertEquals(contract.operations().size() - 2, checked.size());
  }

  /** A body that stalls half-way: 408 once the body timeout (here 300 ms) passes. */
  @Test
  void everyOperationWithABodyAnswers408WhenItStalls() {
    ServerConfig config =
        new ServerConfig("127.0.0.1", 0, null)
            .withLimits(
                new ConnectionLimits(
                    64, java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(300)));
    TestServer s = TestServer.startWith(config, new MemoryStore(), RegistryLimits.defaults());
    servers.add(s);
    int checked = 0;
    for (String[] op : everyOperation()) {
      if (!op[0].equals("POST") && !op[0].equals("PUT")) {
        continue;
      }
      try (RawHttp c = RawHttp.connect(s.port())) {
        c.send(
            op[0]
                + " "
                + op[2]
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 50\r\n\r\n{");
        Response r = RawHttp.asResponse(op[0], op[2], c.read(10_000));
        check(r);
        assertEquals(408, r.status(), r::toString);
        checked++;
      }
    }
    assertEquals(4, checked);
  }

  @Test
  void theReadTokenIs403OnAChange() {
    TestServer s =
        TestServer.startWith(
            new ServerConfig("127.0.0.1", 0, TOKEN).withReadToken("reader"),
            new MemoryStore(),
            RegistryLimits.defaults());
    s.observer = RoutesTest::check;
    servers.add(s);
    expect(201, s.post("/v1/runs", run("read-only", 1)));
    expect(200, s.send("GET", "/v1/runs/read-only", null, null, "reader"));
    expect(403, s.send("DELETE", "/v1/runs/read-only", null, null, "reader"));
  }

  @Test
  void unknownRoutesAnd405sAreJsonErrors() {
    Response missing = expect(404, open.get("/v1/nothing"));
    assertEquals(404, missing.json().get("status").asInt());
    Response wrongMethod =
        expect(405, open.send("PATCH", "/v1/runs", "{}", "application/json", null));
    assertEquals(405, wrongMethod.json().get("status").asInt());
    assertEquals("GET, POST", wrongMethod.headers().firstValue("Allow").orElse(""));
    expect(405, open.send("PUT", "/v1/runs/x/steps", "{}", "application/json", null));
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void everyDocumentedStatusWasExercised() {
    Set<String> missing = new TreeSet<>(contract.documentedResponses());
    missing.removeAll(seen);
    assertEquals(Set.of(), missing);
  }
}
