package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.protocol.OpenApiContract;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests, one a row: each gets its 4xx and an Error naming the field where there
 * is one, the response matches openapi.yaml, and nothing changes: the fixture run's state
 * and the list of runs are byte-identical before and after.
 */
class BadInputTest {
  static final String RUN = "/v1/runs/fixture";
  static final String JSON = "application/json";
  static TestServer server;
  static OpenApiContract contract;

  /** One malformed request and what it must get. {@code field} null: the error names none. */
  record Case(
      String name,
      String method,
      String path,
      byte[] body,
      String contentType,
      boolean chunked,
      int status,
      String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeAll
  static void start() {
    contract = OpenApiContract.load();
    server = TestServer.start();
    server.observer =
        r -> {
          List<String> problems = contract.problems(r);
          assertTrue(problems.isEmpty(), () -> r + "\n  " + String.join("\n  ", problems));
        };
    ok(
        201,
        server.post(
            "/v1/runs",
            j(
                "{'runId': 'fixture', 'tasks': ['python', 'java'], 'method': 'coba',"
                    + " 'params': {'warmupSteps': 2, 'historyLength': 4}, 'worldSize': 2, 'initialLosses': {'python': 2.5}}")));
    for (int step = 1; step <= 3; step++) {
      ok(202, server.post(RUN + "/steps", report(step, 0, 2.4 - 0.1 * step, 2.6)));
      ok(200, server.post(RUN + "/steps", report(step, 1, 2.3 - 0.1 * step, 2.5)));
    }
    ok(202, server.post(RUN + "/steps", report(4, 0, 1.9, 2.4)));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static void ok(int status, Response r) {
    assertEquals(status, r.status(), r::toString);
  }

  static String report(long step, int rank, double python, double java) {
    return j(
        "{'step': %d, 'rank': %d, 'valLosses': {'python': %s, 'java': %s}}"
            .formatted(step, rank, python, java));
  }

  /** A report body with {@code weightsUsed} added. */
  static String withWeightsUsed(String report, String weightsUsed) {
    return report.substring(0, report.lastIndexOf('}')) + ", \"weightsUsed\": " + weightsUsed + "}";
  }

  /** JSON written with single quotes, for readable rows. */
  static String j(String text) {
    return text.replace('\'', '"');
  }

  static Case c(String name, String method, String path, String body, int status, String field) {
    return new Case(
        name,
        method,
        path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        body == null ? null : JSON,
        false,
        status,
        field);
  }

  static Case step(String name, String body, int status, String field) {
    return c(name, "POST", RUN + "/steps", j(body), status, field);
  }

  static Case create(String name, String body, int status, String field) {
    return c(name, "POST", "/v1/runs", j(body), status, field);
  }

  static String createWith(String extra) {
    return "{'tasks': ['python', 'java'], 'method': 'coba'" + extra + "}";
  }

  static String validState(String runId) {
    return j(
        "{'version': 1, 'run': {'runId': '"
            + runId
            + "', 'tasks': ['python', 'java'], 'method': 'coba'},"
            + " 'base': null, 'reports': [{'step': 1, 'valLosses': {'python': 2.0}}]}");
  }

  static byte[] huge() {
    char[] pad = new char[Bodies.MAX_BYTES + 10];
    Arrays.fill(pad, ' ');
    return ("{\"step\": 5," + new String(pad) + "\"valLosses\": {\"python\": 1}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Case> cases() {
    String tasks1025 =
        IntStream.range(0, 1025).mapToObj(i -> "'t" + i + "'").collect(Collectors.joining(", "));
    List<Case> all =
        new ArrayList<>(
            List.of(
                // losses
                step(
                    "NaN literal",
                    "{'step': 5, 'valLosses': {'python': NaN}}",
                    400,
                    "valLosses.python"),
                step(
                    "Infinity literal",
                    "{'step': 5, 'valLosses': {'python': Infinity}}",
                    400,
                    "valLosses.python"),
                step(
                    "-Infinity literal",
                    "{'step': 5, 'valLosses': {'python': -Infinity}}",
                    400,
                    "valLosses.python"),
                step(
                    "NaN string",
                    "{'step': 5, 'valLosses': {'python': 'NaN'}}",
                    400,
                    "valLosses.python"),
                step(
                    "Infinity string",
                    "{'step': 5, 'valLosses': {'python': 'Infinity'}}",
                    400,
                    "valLosses.python"),
                step(
                    "-Infinity string",
                    "{'step': 5, 'valLosses': {'python': '-Infinity'}}",
                    400,
                    "valLosses.python"),
                step(
                    "overflowing number",
                    "{'step': 5, 'valLosses': {'python': 1e400}}",
                    400,
                    "valLosses.python"),
                step(
                    "negative loss",
                    "{'step': 5, 'valLosses': {'python': -0.5}}",
                    400,
                    "valLosses.python"),
                step(
                    "string loss",
                    "{'step': 5, 'valLosses': {'python': '1.5'}}",
                    400,
                    "valLosses.python"),
                step(
                    "null loss",
                    "{'step': 5, 'valLosses': {'python': null}}",
                    400,
                    "valLosses.python"),
                step(
                    "boolean loss",
                    "{'step': 5, 'valLosses': {'python': true}}",
                    400,
                    "valLosses.python"),
                step(
                    "object loss",
                    "{'step': 5, 'valLosses': {'python': {}}}",
                    400,
                    "valLosses.python"),
                step(
                    "array loss",
                    "{'step': 5, 'valLosses': {'python': [1]}}",
                    400,
                    "valLosses.python"),
                step(
                    "unknown task",
                    "{'step': 5, 'valLosses': {'rust': 1.0}}",
                    400,
                    "valLosses.rust"),
                step("no task at all", "{'step': 5, 'valLosses': {}}", 400, "valLosses"),
                step(
                    "valLosses an array", "{'step': 5, 'valLosses': [1.0, 2.0]}", 400, "valLosses"),
                step("valLosses a string", "{'step': 5, 'valLosses': 'python'}", 400, "valLosses"),
                step(
                    "negative train loss",
                    "{'step': 5, 'valLosses': {'python': 1}, 'trainLosses': {'java': -1}}",
                    400,
                    "trainLosses.java"),
                step(
                    "NaN grad norm",
                    "{'step': 5, 'valLosses': {'python': 1}, 'gradNorms': {'python': 'NaN'}}",
                    400,
                    "gradNorms.python"),
                step(
                    "duplicate task key",
                    "{'step': 5, 'valLosses': {'python': 1, 'python': 2}}",
                    400,
                    "valLosses.python"),
                // step
                step("missing step", "{'valLosses': {'python': 1.0}}", 400, "step"),
                step("null step", "{'step': null, 'valLosses': {'python': 1.0}}", 400, "step"),
                step("fractional step", "{'step': 5.5, 'valLosses': {'python': 1.0}}", 400, "step"),
                step("negative step", "{'step': -1, 'valLosses': {'python': 1.0}}", 400, "step"),
                step("step as string", "{'step': '5', 'valLosses': {'python': 1.0}}", 400, "step"),
                step(
                    "step as boolean", "{'step': true, 'valLosses': {'python': 1.0}}", 400, "step"),
                step(
                    "step beyond a long",
                    "{'step': 99999999999999999999, 'valLosses': {'python': 1.0}}",
                    400,
                    "step"),
                step(
                    "duplicate step key",
                    "{'step': 5, 'step': 6, 'valLosses': {'python': 1.0}}",
                    400,
                    "step"),
                step(
                    "step at or below the last completed",
                    "{'step': 0, 'valLosses': {'python': 1.0}}",
                    409,
                    "step"),
                step(
                    "another body for a completed step",
                    "{'step': 2, 'rank': 0, 'valLosses': {'python': 9.0, 'java': 9.0}}",
                    409,
                    "step"),
                step(
                    "another body for a pending step",
                    "{'step': 4, 'rank': 0, 'valLosses': {'python': 9.0}}",
                    409,
                    "step"),
                // rank, counts, unknown fields
                step(
                    "rank out of range",
                    "{'step': 5, 'rank': 2, 'valLosses': {'python': 1.0}}",
                    400,
                    "rank"),
                step(
                    "negative rank",
                    "{'step': 5, 'rank': -1, 'valLosses': {'python': 1.0}}",
                    400,
                    "rank"),
                step(
                    "rank as string",
                    "{'step': 5, 'rank': '0', 'valLosses': {'python': 1.0}}",
                    400,
                    "rank"),
                step(
                    "fractional rank",
                    "{'step': 5, 'rank': 0.5, 'valLosses': {'python': 1.0}}",
                    400,
                    "rank"),
                step(
                    "zero count",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'counts': {'python': 0}}",
                    400,
                    "counts.python"),
                step(
                    "negative count",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'counts': {'python': -3}}",
                    400,
                    "counts.python"),
                step(
                    "count as string",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'counts': {'python': '3'}}",
                    400,
                    "counts.python"),
                step(
                    "count of an unknown task",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'counts': {'rust': 3}}",
                    400,
                    "counts.rust"),
                step(
                    "unknown field",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'loss': 3}",
                    400,
                    "loss"),
                // weightsUsed: like counts, but 0 is a weight
                step(
                    "weightsUsed of an unknown task",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': {'rust': 0.5}}",
                    400,
                    "weightsUsed.rust"),
                step(
                    "negative weightsUsed",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': {'python': 0.5, 'java': -0.5}}",
                    400,
                    "weightsUsed.java"),
                step(
                    "NaN weightsUsed",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': {'python': NaN}}",
                    400,
                    "weightsUsed.python"),
                step(
                    "overflowing weightsUsed",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': {'python': 1e400}}",
                    400,
                    "weightsUsed.python"),
                step(
                    "weightsUsed as string",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': {'python': '0.5'}}",
                    400,
                    "weightsUsed.python"),
                step(
                    "null weightsUsed",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': {'python': null}}",
                    400,
                    "weightsUsed.python"),
                step(
                    "weightsUsed an array",
                    "{'step': 5, 'valLosses': {'python': 1.0}, 'weightsUsed': [0.5, 0.5]}",
                    400,
                    "weightsUsed"),
                c(
                    "another weightsUsed for a completed step",
                    "POST",
                    RUN + "/steps",
                    withWeightsUsed(
                        report(2, 0, 2.4 - 0.1 * 2, 2.6), "{\"python\": 0.5, \"java\": 0.5}"),
                    409,
                    "step"),
                c(
                    "another weightsUsed for a pending step",
                    "POST",
                    RUN + "/steps",
                    withWeightsUsed(report(4, 0, 1.9, 2.4), "{\"python\": 0.5}"),
                    409,
                    "step"),
                // the document itself
                step("not JSON", "step=5", 400, null),
                step("trailing garbage", "{'step': 5, 'valLosses': {'python': 1.0}} x", 400, null),
                step("two documents", "{'step': 5, 'valLosses': {'python': 1.0}}{}", 400, null),
                step(
                    "array instead of object",
                    "[{'step': 5, 'valLosses': {'python': 1.0}}]",
                    400,
                    null),
                step("truncated JSON", "{'step': 5, 'valLosses': {'python': 1.0}", 400, null),
                step("empty body", "", 400, null),
                new Case(
                    "text/plain body",
                    "POST",
                    RUN + "/steps",
                    report(5, 1, 1, 1).getBytes(StandardCharsets.UTF_8),
                    "text/plain",
                    false,
                    415,
                    null),
                new Case(
                    "no content type",
                    "POST",
                    RUN + "/steps",
                    report(5, 1, 1, 1).getBytes(StandardCharsets.UTF_8),
                    null,
                    false,
                    415,
                    null),
                new Case("body over 1 MiB", "POST", RUN + "/steps", huge(), JSON, false, 413, null),
                new Case(
                    "body over 1 MiB, chunked",
                    "POST",
                    RUN + "/steps",
                    huge(),
                    JSON,
                    true,
                    413,
                    null),
                // run ids in the path
                c(
                    "bad runId in the path",
                    "POST",
                    "/v1/runs/bad%20id/steps",
                    report(5, 1, 1, 1),
                    400,
                    "runId"),
                c(
                    "runId of 129 characters",
                    "GET",
                    "/v1/runs/" + "r".repeat(129),
                    null,
                    400,
                    "runId"),
                c("unknown run", "POST", "/v1/runs/nobody/steps", report(5, 1, 1, 1), 404, "runId"),
                c("bad runId to delete", "DELETE", "/v1/runs/bad%2Fid", null, 400, "runId"),
                // creating runs
                create(
                    "tasks not an array",
                    createWith("").replace("['python', 'java']", "'python'"),
                    400,
                    "tasks"),
                create("tasks missing", "{'method': 'coba'}", 400, "tasks"),
                create("empty tasks", "{'tasks': [], 'method': 'coba'}", 400, "tasks"),
                create(
                    "duplicate tasks",
                    "{'tasks': ['python', 'python'], 'method': 'coba'}",
                    400,
                    "tasks[1]"),
                create(
                    "1025 tasks",
                    "{'tasks': [" + tasks1025 + "], 'method': 'uniform'}",
                    400,
                    "tasks"),
                create(
                    "task name with a control character",
                    "{'tasks': ['py\\u0001thon'], 'method': 'coba'}",
                    400,
                    "tasks[0]"),
                create("empty task name", "{'tasks': [''], 'method': 'coba'}", 400, "tasks[0]"),
                create(
                    "task name not a string",
                    "{'tasks': ['python', 7], 'method': 'coba'}",
                    400,
                    "tasks[1]"),
                create(
                    "null task name",
                    "{'tasks': ['python', null], 'method': 'coba'}",
                    400,
                    "tasks[1]"),
                create("unknown method", "{'tasks': ['python'], 'method': 'magic'}", 400, "method"),
                create("method not a string", "{'tasks': ['python'], 'method': 5}", 400, "method"),
                create("method missing", "{'tasks': ['python']}", 400, "method"),
                create("params an array", createWith(", 'params': [1]"), 400, "params"),
                create(
                    "unknown param",
                    createWith(", 'params': {'temperature': 1}"),
                    400,
                    "params.temperature"),
                create(
                    "historyLength 1",
                    createWith(", 'params': {'historyLength': 1}"),
                    400,
                    "params.historyLength"),
                create("negative tau", createWith(", 'params': {'tau': -1}"), 400, "params.tau"),
                create("tau as string", createWith(", 'params': {'tau': '5'}"), 400, "params.tau"),
                create("tau NaN", createWith(", 'params': {'tau': NaN}"), 400, "params.tau"),
                create(
                    "warmupSteps fractional",
                    createWith(", 'params': {'warmupSteps': 2.5}"),
                    400,
                    "params.warmupSteps"),
                create("null param", createWith(", 'params': {'tau': null}"), 400, "params.tau"),
                create("worldSize 0", createWith(", 'worldSize': 0"), 400, "worldSize"),
                create("worldSize as string", createWith(", 'worldSize': '2'"), 400, "worldSize"),
                create("worldSize 4097", createWith(", 'worldSize': 4097"), 400, "worldSize"),
                create(
                    "negative initial loss",
                    createWith(", 'initialLosses': {'python': -1}"),
                    400,
                    "initialLosses.python"),
                create(
                    "initial loss of an unknown task",
                    createWith(", 'initialLosses': {'rust': 1}"),
                    400,
                    "initialLosses.rust"),
                create(
                    "null initial loss",
                    createWith(", 'initialLosses': {'python': null}"),
                    400,
                    "initialLosses.python"),
                create("bad runId in the body", createWith(", 'runId': 'bad id'"), 400, "runId"),
                create(
                    "runId of 129 characters in the body",
                    createWith(", 'runId': '" + "r".repeat(129) + "'"),
                    400,
                    "runId"),
                create("runId not a string", createWith(", 'runId': 5"), 400, "runId"),
                create(
                    "existing runId, other definition",
                    createWith(", 'runId': 'fixture'"),
                    409,
                    "runId"),
                create("unknown field in a run", createWith(", 'colour': 'blue'"), 400, "colour"),
                // rewind
                c("rewind with a string", "POST", RUN + "/rewind", j("{'step': '2'}"), 400, "step"),
                c("rewind without a step", "POST", RUN + "/rewind", "{}", 400, "step"),
                c(
                    "rewind to a negative step",
                    "POST",
                    RUN + "/rewind",
                    j("{'step': -2}"),
                    400,
                    "step"),
                c(
                    "rewind with an unknown field",
                    "POST",
                    RUN + "/rewind",
                    j("{'step': 2, 'hard': true}"),
                    400,
                    "hard"),
                c(
                    "rewind an unknown run",
                    "POST",
                    "/v1/runs/nobody/rewind",
                    j("{'step': 2}"),
                    404,
                    "runId"),
                // query parameters
                c(
                    "weights waitMs=-1",
                    "GET",
                    RUN + "/weights?step=4&waitMs=-1",
                    null,
                    400,
                    "waitMs"),
                c(
                    "weights waitMs=70000",
                    "GET",
                    RUN + "/weights?step=4&waitMs=70000",
                    null,
                    400,
                    "waitMs"),
                c("weights step=abc", "GET", RUN + "/weights?step=abc", null, 400, "step"),
                c("weights step=-1", "GET", RUN + "/weights?step=-1", null, 400, "step"),
                c(
                    "weights of a step nobody reported",
                    "GET",
                    RUN + "/weights?step=99",
                    null,
                    404,
                    "step"),
                c("history from=abc", "GET", RUN + "/history?from=abc", null, 400, "from"),
                c("history to=-5", "GET", RUN + "/history?to=-5", null, 400, "to"),
                c("history from after to", "GET", RUN + "/history?from=5&to=2", null, 400, "to"),
                c("list limit=0", "GET", "/v1/runs?limit=0", null, 400, "limit"),
                c("list limit=1001", "GET", "/v1/runs?limit=1001", null, 400, "limit"),
                c("list limit=x", "GET", "/v1/runs?limit=x", null, 400, "limit"),
                c("list after a bad id", "GET", "/v1/runs?after=bad%20id", null, 400, "after"),
                // checkpoints
                c(
                    "state of another run",
                    "PUT",
                    RUN + "/state",
                    validState("other"),
                    400,
                    "run.runId"),
                c(
                    "state version 2",
                    "PUT",
                    RUN + "/state",
                    validState("fixture").replace("\"version\": 1", "\"version\": 2"),
                    400,
                    "version"),
                c(
                    "state without run",
                    "PUT",
                    "/v1/runs/fresh/state",
                    j("{'version': 1, 'reports': []}"),
                    400,
                    "run"),
                c(
                    "state with a NaN report",
                    "PUT",
                    "/v1/runs/fresh/state",
                    validState("fresh").replace("2.0", "\"NaN\""),
                    400,
                    "reports[0].valLosses.python"),
                c(
                    "state with a bad param",
                    "PUT",
                    "/v1/runs/fresh/state",
                    validState("fresh").replace("\"coba\"}", j("'coba', 'params': {'tau': -1}}")),
                    400,
                    "run.params.tau"),
                c("state as a list", "PUT", "/v1/runs/fresh/state", "[]", 400, null),
                c(
                    "state with a NaN literal in a report",
                    "PUT",
                    "/v1/runs/fresh/state",
                    validState("fresh").replace("2.0", "NaN"),
                    400,
                    "reports[0].valLosses.python"),
                // a body of literal null, on every route that reads one
                create("null body", "null", 400, null),
                step("null body", "null", 400, null),
                c("null state", "PUT", "/v1/runs/fresh/state", "null", 400, null),
                c("null rewind", "POST", RUN + "/rewind", "null", 400, null),
                // run ids that clients rewrite as path segments
                create("runId '.'", createWith(", 'runId': '.'"), 400, "runId"),
                create("runId '..'", createWith(", 'runId': '..'"), 400, "runId"),
                c(
                    "runId '..' in the path",
                    "PUT",
                    "/v1/runs/%2E%2E/state",
                    validState(".."),
                    400,
                    "runId"),
                c("runId '.' in the path", "GET", "/v1/runs/%2E", null, 400, "runId"),
                // echoed input is cut short
                create(
                    "unknown method of 900 KB",
                    "{'tasks': ['python'], 'method': '" + "m".repeat(900_000) + "'}",
                    400,
                    "method"),
                step(
                    "unknown field of 100 KB",
                    "{'step': 5, 'valLosses': {'python': 1.0}, '" + "f".repeat(40_000) + "': 1}",
                    400,
                    "f".repeat(ErrorMapping.MAX_FIELD) + "..."),
                // routes and methods
                c("unknown route", "GET", "/v1/nothing", null, 404, null),
                c("method not allowed", "PATCH", RUN, "{}", 405, null)));
    return all.stream();
  }

  @Test
  void atLeastFiftyCases() {
    assertTrue(cases().count() >= 50, "cases: " + cases().count());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedWithItsStatusAndFieldChangingNothing(Case c) {
    String stateBefore = server.get(RUN + "/state").body();
    String runsBefore = server.get("/v1/runs").body();
    Response r = server.send(c.method(), c.path(), c.body(), c.contentType(), null, c.chunked());
    assertEquals(c.status(), r.status(), r::toString);
    assertEquals(c.status(), r.json().get("status").asInt(), r::toString);
    assertTrue(r.json().get("error").asText().length() > 3, r::toString);
    assertEquals(c.field(), r.errorField(), r::toString);
    assertTrue(
        r.body().length() < 2 * ErrorMapping.MAX_MESSAGE,
        () -> "the answer echoes too much: " + r.body().length());
    assertEquals(stateBefore, server.get(RUN + "/state").body(), "the run's state changed");
    assertEquals(runsBefore, server.get("/v1/runs").body(), "the runs changed");
  }
}
