package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests outside the protocol that a server still answers like every other error (issue 11, item 9). */
class ProtocolEdgesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    assertEquals(
        201,
        server
            .post("/v1/runs", "{\"runId\": \"kept\", \"tasks\": [\"a\"], \"method\": \"uniform\"}")
            .status());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** X-HTTP-Method-Override is not part of the protocol: refused, and the run stays. */
  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "PUT"})
  void methodOverrideIsRefusedAndDeletesNothing(String method) throws Exception {
    boolean body = !method.equals("GET");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.base + "/v1/runs/kept"))
            .method(
                method,
                body
                    ? HttpRequest.BodyPublishers.ofString("{}")
                    : HttpRequest.BodyPublishers.noBody())
            .header("Content-Type", "application/json")
            .header("X-HTTP-Method-Override", "DELETE")
            .build();
    HttpResponse<String> r = TestServer.CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("X-HTTP-Method-Override", JSON.readTree(r.body()).get("field").asText());
    assertEquals(200, server.get("/v1/runs/kept").status(), "the run is still there");
  }

  @Test
  void aWebSocketUpgradeIsAJsonError() {
    try (RawHttp c = RawHttp.connect(server.server.port())) {
      RawHttp.Answer a =
          c.send(
                  RawHttp.request(
                      "GET",
                      "/v1/runs",
                      null,
                      "Connection: Upgrade",
                      "Upgrade: websocket",
                      "Sec-WebSocket-Version: 13",
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="))
              .read(5_000);
      assertTrue(a.status() >= 400 && a.status() < 500, a.toString());
      assertTrue(a.headers().get("content-type").startsWith("application/json"), a.toString());
      assertEquals(a.status(), JSON.readTree(a.body()).get("status").asInt(), a.toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
