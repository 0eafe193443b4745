package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Security, issue 11: without a token, a page in this machine's browser could reach the
 * sidecar by DNS rebinding (its own name re-pointed at 127.0.0.1): such Hosts are refused.
 * Cross-origin requests (an Origin that is not the server) are refused with or without a token.
 */
class BrowserGuardsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TOKEN = "guard-token";
  static TestServer open;
  static TestServer withToken;

  @BeforeAll
  static void start() {
    open = TestServer.start();
    withToken = TestServer.start(TOKEN, new MemoryStore(), RegistryLimits.defaults());
  }

  @AfterAll
  static void stop() {
    open.close();
    withToken.close();
  }

  static RawHttp.Answer send(
      TestServer s, String method, String path, String body, String... headers) {
    try (RawHttp c = RawHttp.connect(s.port())) {
      return c.send(RawHttp.request(method, path, body, headers)).read(10_000);
    }
  }

  static String field(RawHttp.Answer a) throws Exception {
    return JSON.readTree(a.body()).get("field").asText();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "attacker.example",
        "attacker.example:80",
        "127.0.0.1.nip.io",
        "localhost.attacker.example",
        "10.1.2.3",
        "[2001:db8::1]:8470"
      })
  void withoutATokenAForeignHostIsRefusedAndChangesNothing(String host) throws Exception {
    String runs = open.get("/v1/runs").body();
    RawHttp.Answer create =
        send(
            open,
            "POST",
            "/v1/runs",
            "{\"runId\": \"rebound\", \"tasks\": [\"a\"], \"method\": \"uniform\"}",
            "Host: " + host);
    assertEquals(403, create.status(), create::toString);
    assertEquals("Host", field(create));
    assertEquals(403, send(open, "GET", "/v1/runs", null, "Host: " + host).status());
    assertEquals(runs, open.get("/v1/runs").body());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "LOCALHOST:8470",
        "dashboard.localhost:8470",
        "127.0.0.1",
        "127.0.0.2:1",
        "[::1]:8470",
        "[::1]"
      })
  void withoutATokenLoopbackNamesAndAddressesAreAnswered(String host) {
    RawHttp.Answer a = send(open, "GET", "/v1/runs", null, "Host: " + host);
    assertEquals(200, a.status(), a::toString);
  }

  @Test
  void probesAnswerWhateverTheHost() {
    assertEquals(200, send(open, "GET", "/healthz", null, "Host: attacker.example").status());
    assertEquals(200, send(open, "GET", "/readyz", null, "Host: 10.0.0.7:8470").status());
  }

  @Test
  void withATokenAnyHostIsAnswered() {
    assertEquals(
        200,
        send(
                withToken,
                "GET",
                "/v1/runs",
                null,
                "Host: coba.example.com",
                "Authorization: Bearer " + TOKEN)
            .status());
  }

  @Test
  void aForeignOriginIsRefusedWithOrWithoutAToken() throws Exception {
    String host = "127.0.0.1:" + open.port();
    // the scheme is not compared: behind a TLS proxy the page is https and the server sees http
    for (String origin :
        new String[] {
          "http://attacker.example", "null", "http://127.0.0.1:1", "http://localhost:" + open.port()
        }) {
      RawHttp.Answer a =
          send(
              open,
              "POST",
              "/v1/runs",
              "{\"runId\": \"xsite\", \"tasks\": [\"a\"], \"method\": \"uniform\"}",
              "Host: " + host,
              "Origin: " + origin);
      assertEquals(403, a.status(), origin + ": " + a);
      assertEquals("Origin", field(a));
    }
    assertEquals(404, open.get("/v1/runs/xsite").status(), "nothing was created");
    RawHttp.Answer withTheToken =
        send(
            withToken,
            "DELETE",
            "/v1/runs/anything",
            null,
            "Authorization: Bearer " + TOKEN,
            "Origin: http://attacker.example");
    assertEquals(403, withTheToken.status(), withTheToken::toString);
  }

  @Test
  void theServersOwnOriginIsAnswered() {
    String host = "127.0.0.1:" + open.port();
    RawHttp.Answer a =
        send(
            open,
            "POST",
            "/v1/runs",
            "{\"runId\": \"same-site\", \"tasks\": [\"a\"], \"method\": \"uniform\"}",
            "Host: " + host,
            "Origin: http://" + host);
    assertEquals(201, a.status(), a::toString);
    assertEquals(
        200,
        send(
                open,
                "GET",
                "/v1/runs",
                null,
                "Host: localhost:" + open.port(),
                "Origin: http://LOCALHOST:" + open.port())
            .status());
  }

  @Test
  void theWildcardAddressTakesAnyLiteralButNoName() {
    HostCheck any = new HostCheck("0.0.0.0");
    assertTrue(any.allows("10.1.2.3:8470"));
    assertTrue(any.allows("[fe80::1]:8470"));
    assertTrue(any.allows("localhost"));
    assertFalse(any.allows("gpu-box:8470"));
    HostCheck one = new HostCheck("10.1.2.3");
    assertTrue(one.allows("10.1.2.3:8470"));
    assertFalse(one.allows("10.1.2.4:8470"));
    assertTrue(one.allows(null), "HTTP/1.0 without a Host");
  }
}
