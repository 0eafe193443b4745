package dev.coba.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.coba.protocol.OpenApiContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What the remote client sends and reads, against openapi.yaml: every request body has the
 * schema its operation takes and every answer the schema of its status, both read by the
 * protocol's records (OpenApiContract, the sidecar's checker); and a state the sidecar refuses,
 * both clients refuse before anything is sent, naming the same field.
 */
class ContractTest {
  /** The operations the Java client uses (the others are for operators and the dashboard). */
  private static final Set<String> USED =
      Set.of(
          "POST /v1/runs 201",
          "POST /v1/runs/{runId}/steps 200",
          "POST /v1/runs/{runId}/steps 202",
          "POST /v1/runs/{runId}/steps 400",
          "GET /v1/runs/{runId}/weights 200",
          "GET /v1/runs/{runId} 200",
          "GET /v1/runs/{runId}/history 200",
          "GET /v1/runs/{runId}/state 200",
          "PUT /v1/runs/{runId}/state 200",
          "POST /v1/runs/{runId}/rewind 200");

  @Test
  void everyRequestAndAnswerOfTheRemoteClientKeepsToTheYaml() throws InterruptedException {
    OpenApiContract contract = OpenApiContract.load();
    RunDefinition def =
        RunDefinition.builder("contract")
            .tasks(Scenario.TASKS)
            .method("coba")
            .param("warmupSteps", 2)
            .initialLosses(Scenario.losses(0, 0))
            .build();
    RunDefinition ranks = Scenario.run("contract-ranks", 2);
    List<SlowProxy.Exchange> exchanges;
    try (Sidecar sidecar = Sidecar.inMemory();
        SlowProxy proxy = new SlowProxy(sidecar.url());
        CobaClient remote = CobaClient.remote(Sidecar.config(proxy.url(), def, null).build());
        CobaClient rank0 = CobaClient.remote(Sidecar.config(proxy.url(), ranks, null).build());
        CobaClient rank1 = CobaClient.remote(Sidecar.config(proxy.url(), ranks, null).build())) {
      for (long step = 1; step <= 6; step++) { // step 0 is that of the initial losses
        remote.report(
            Scenario.report(step, 0).toBuilder()
                .trainLosses(Scenario.losses(step, 1))
                .counts(java.util.Map.of("java", 4.0, "python", 4.0, "sql", 4.0))
                .weightsUsed(remote.weights().asMap())
                .build());
      }
      assertThrows(
          CobaRejectedException.class,
          () -> remote.report(StepReport.builder(7).valLoss("rust", 1.0).build()));
      remote.run();
      remote.history(1, 4);
      String state = remote.exportState();
      remote.rewind(3);
      remote.restore(state);
      // rank 0 first: 202, then it long-polls (202 while it waits) until rank 1 reports: 200
      java.util.concurrent.CompletableFuture<Weights> first =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> rank0.report(Scenario.report(0, 0)));
      while (proxy.exchanges.stream()
          .noneMatch(e -> e.path().equals("/v1/runs/contract-ranks/steps"))) {
        Thread.onSpinWait();
      }
      Thread.sleep(200); // rank 0 is in its long poll now
      Weights second = rank1.report(Scenario.report(0, 1));
      assertEquals(second, first.join());
      exchanges = List.copyOf(proxy.exchanges);
    }
    List<String> problems = new ArrayList<>();
    Set<String> seen = new TreeSet<>();
    for (SlowProxy.Exchange e : exchanges) {
      contract
          .requestProblems(e.method(), e.path(), e.requestType(), e.requestBody())
          .forEach(p -> problems.add(e + ": " + p));
      contract
          .problems(e)
          .forEach(p -> problems.add(e.method() + " " + e.path() + " -> " + e.status() + ": " + p));
      seen.add(e.method() + " " + contract.template(e.path()) + " " + e.status());
    }
    assertEquals(List.of(), problems);
    Set<String> missing = new TreeSet<>(USED);
    missing.removeAll(seen);
    assertEquals(Set.of(), missing, "seen: " + seen);
  }

  /** A checkpoint the sidecar refuses as a document: both clients refuse it before any I/O, naming the same field. */
  @Test
  void aStateTheSidecarRefusesBothClientsRefuse() {
    RunDefinition def = Scenario.run("refused", 1);
    try (Sidecar sidecar = Sidecar.inMemory();
        SlowProxy proxy = new SlowProxy(sidecar.url());
        CobaClient remote = CobaClient.remote(Sidecar.config(proxy.url(), def, null).build());
        CobaClient local = CobaClient.inProcess(def)) {
      remote.report(Scenario.report(0, 0));
      String state = remote.exportState();
      List<String> refused =
          List.of(
              state.replace(
                  "\"reports\":[", "\"reports\":[{\"step\":1,\"valLosses\":{\"java\":NaN}},"),
              state.replace("\"version\":1", "\"version\":1,\"versoin\":1"),
              state.replace("\"version\":1", "\"version\":\"1\""),
              state.replace("\"reports\":[", "\"reports\":[{\"step\":-1},"),
              state + " []");
      for (String bad : refused) {
        int sent = proxy.exchanges.size();
        CobaRejectedException r =
            assertThrows(CobaRejectedException.class, () -> remote.restore(bad), bad);
        CobaRejectedException l =
            assertThrows(CobaRejectedException.class, () -> local.restore(bad), bad);
        assertEquals(sent, proxy.exchanges.size(), "refused before any I/O: " + bad);
        SlowProxy.Exchange direct = put(sidecar, bad);
        assertEquals(400, direct.status(), direct::body);
        String field =
            dev.coba.protocol.WireJson.readAnswer(
                    direct.body(), dev.coba.protocol.Wire.ErrorBody.class)
                .field();
        assertEquals(List.of(400, 400), List.of(r.status(), l.status()));
        assertEquals(
            java.util.Arrays.asList(field, field),
            java.util.Arrays.asList(r.field(), l.field()),
            bad);
      }
    }
  }

  /** PUT .../state straight to the sidecar. */
  private static SlowProxy.Exchange put(Sidecar sidecar, String body) {
    try {
      var http = java.net.http.HttpClient.newHttpClient();
      var r =
          http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(sidecar.url() + "/v1/runs/refused/state"))
                  .header("Authorization", "Bearer " + Sidecar.TOKEN)
                  .header("Content-Type", "application/json")
                  .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      return new SlowProxy.Exchange(
          "PUT",
          "/v1/runs/refused/state",
          "application/json",
          body,
          r.statusCode(),
          r.headers().firstValue("Content-Type").orElse(""),
          r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
