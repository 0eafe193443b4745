package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** With a token: /v1 and /metrics need it, /healthz and /readyz do not. */
class AuthTest {
  static final String TOKEN = "correct-horse-battery-staple";
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(TOKEN, new MemoryStore(), RegistryLimits.defaults());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/methods", "/v1/runs", "/v1/runs/r1", "/v1/runs/r1/state", "/metrics", "/v1/nothing", "/elsewhere"})
  void withoutOrWithAWrongTokenIs401(String path) {
    for (String bearer : new String[] {null, "wrong", TOKEN + "x", TOKEN.substring(1), ""}) {
      Response r = server.send("GET", path, null, null, bearer);
      assertEquals(401, r.status(), r::toString);
      assertEquals(401, r.json().get("status").asInt());
      assertEquals("Bearer", r.headers().firstValue("WWW-Authenticate").orElse(null));
      assertFalse(r.body().contains(TOKEN), "the token never appears in an answer");
    }
  }

  @Test
  void otherSchemesAre401() throws Exception {
    for (String header : new String[] {"Basic " + TOKEN, TOKEN, "Bearer", "Token " + TOKEN}) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(server.base + "/v1/methods")).header("Authorization", header).build();
      assertEquals(401, TestServer.CLIENT.send(req, HttpResponse.BodyHandlers.ofString()).statusCode(), header);
    }
  }

  @Test
  void theRightTokenOpensEveryRoute() throws Exception {
    assertEquals(200, server.send("GET", "/v1/methods", null, null, TOKEN).status());
    assertEquals(201, server.send("POST", "/v1/runs", "{\"runId\": \"a1\", \"tasks\": [\"x\"], \"method\": \"uniform\"}",
        "application/json", TOKEN).status());
    assertEquals(200, server.send("GET", "/v1/runs/a1", null, null, TOKEN).status());
    assertEquals(200, server.send("GET", "/metrics", null, null, TOKEN).status());
    assertEquals(404, server.send("GET", "/v1/nothing", null, null, TOKEN).status());
    HttpRequest lower = HttpRequest.newBuilder(URI.create(server.base + "/v1/methods")).header("Authorization", "bearer " + TOKEN).build();
    assertEquals(200, TestServer.CLIENT.send(lower, HttpResponse.BodyHandlers.ofString()).statusCode(), "the scheme is case-insensitive");
  }

  @Test
  void healthAndReadinessStayOpen() {
    assertEquals(200, server.send("GET", "/healthz", null, null, null).status());
    assertEquals(200, server.send("GET", "/readyz", null, null, null).status());
    assertEquals(200, server.send("GET", "/healthz", null, null, "wrong").status());
  }
}
