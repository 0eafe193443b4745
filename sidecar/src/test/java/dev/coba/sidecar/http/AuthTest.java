package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
  @ValueSource(
      strings = {
        "/v1/methods",
        "/v1/runs",
        "/v1/runs/r1",
        "/v1/runs/r1/state",
        "/metrics",
        "/v1/nothing",
        "/elsewhere"
      })
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
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(server.base + "/v1/methods"))
              .header("Authorization", header)
              .build();
      assertEquals(
          401,
          TestServer.CLIENT.send(req, HttpResponse.BodyHandlers.ofString()).statusCode(),
          header);
    }
  }

  @Test
  void theRightTokenOpensEveryRoute() throws Exception {
    assertEquals(200, server.send("GET", "/v1/methods", null, null, TOKEN).status());
    assertEquals(
        201,
        server
            .send(
                "POST",
                "/v1/runs",
                "{\"runId\": \"a1\", \"tasks\": [\"x\"], \"method\": \"uniform\"}",
                "application/json",
                TOKEN)
            .status());
    assertEquals(200, server.send("GET", "/v1/runs/a1", null, null, TOKEN).status());
    assertEquals(200, server.send("GET", "/metrics", null, null, TOKEN).status());
    assertEquals(404, server.send("GET", "/v1/nothing", null, null, TOKEN).status());
    HttpRequest lower =
        HttpRequest.newBuilder(URI.create(server.base + "/v1/methods"))
            .header("Authorization", "bearer " + TOKEN)
            .build();
    assertEquals(
        200,
        TestServer.CLIENT.send(lower, HttpResponse.BodyHandlers.ofString()).statusCode(),
        "the scheme is case-insensitive");
  }

  /** A second, read-only token: GET everywhere, 403 on any change (issue 11, security). */
  @Test
  void theReadTokenReadsButChangesNothing() {
    String read = "read-only-token";
    try (TestServer s =
        TestServer.startWith(
            new ServerConfig("127.0.0.1", 0, TOKEN).withReadToken(read),
            new MemoryStore(),
            RegistryLimits.defaults())) {
      String run = "{\"runId\": \"r1\", \"tasks\": [\"x\"], \"method\": \"uniform\"}";
      assertEquals(201, s.send("POST", "/v1/runs", run, "application/json", TOKEN).status());
      for (String path :
          new String[] {
            "/v1/runs", "/v1/runs/r1", "/v1/runs/r1/state", "/v1/runs/r1/series", "/metrics"
          }) {
        assertEquals(200, s.send("GET", path, null, null, read).status(), path);
      }
      String state = s.send("GET", "/v1/runs/r1/state", null, null, read).body();
      Response[] refused = {
        s.send("POST", "/v1/runs", run.replace("r1", "r2"), "application/json", read),
        s.send(
            "POST",
            "/v1/runs/r1/steps",
            "{\"step\": 1, \"valLosses\": {\"x\": 1.0}}",
            "application/json",
            read),
        s.send("PUT", "/v1/runs/r1/state", state, "application/json", read),
        s.send("POST", "/v1/runs/r1/rewind", "{\"step\": 0}", "application/json", read),
        s.send("DELETE", "/v1/runs/r1", null, null, read)
      };
      for (Response r : refused) {
        assertEquals(403, r.status(), r::toString);
        assertEquals(403, r.json().get("status").asInt());
      }
      assertEquals(
          state, s.send("GET", "/v1/runs/r1/state", null, null, TOKEN).body(), "nothing changed");
      assertEquals(404, s.send("GET", "/v1/runs/r2", null, null, TOKEN).status());
      assertEquals(401, s.send("GET", "/v1/runs", null, null, read + "x").status());
    }
  }

  @Test
  void aReadTokenNeedsATokenAndDiffersFromIt() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ServerConfig("127.0.0.1", 0, null).withReadToken("r"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ServerConfig("127.0.0.1", 0, TOKEN).withReadToken(TOKEN));
  }

  @Test
  void healthAndReadinessStayOpen() {
    assertEquals(200, server.send("GET", "/healthz", null, null, null).status());
    assertEquals(200, server.send("GET", "/readyz", null, null, null).status());
    assertEquals(200, server.send("GET", "/healthz", null, null, "wrong").status());
  }
}
