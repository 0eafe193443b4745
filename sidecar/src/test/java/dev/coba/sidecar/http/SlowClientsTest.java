package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 6: clients that send slowly, or stop, get a 408 within the timeouts instead
 * of holding a connection and a worker for 90 s (and a 500); connections beyond the cap wait,
 * and /healthz answers once a connection is free. Raw sockets: an HTTP client would not stall.
 */
class SlowClientsTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int CAP = 4;
  static final ConnectionLimits LIMITS =
      new ConnectionLimits(CAP, Duration.ofMillis(1000), Duration.ofMillis(1000));
  static final String STEPS = "/v1/runs/slow/steps";
  static TestServer server;

  @BeforeAll
  static void start() {
    server =
        TestServer.startWith(
            new ServerConfig("127.0.0.1", 0, null).withLimits(LIMITS),
            new MemoryStore(),
            RegistryLimits.defaults());
    assertEquals(
        201,
        server
            .post("/v1/runs", "{\"runId\": \"slow\", \"tasks\": [\"a\"], \"method\": \"uniform\"}")
            .status());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The head of a report whose body of {@code length} bytes is yet to come. */
  static String head(int length) {
    return "POST "
        + STEPS
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        + length
        + "\r\n\r\n";
  }

  static void assertTimedOut(RawHttp c, long startedNanos, long withinMs) throws Exception {
    RawHttp.Answer a = c.read(10_000);
    long tookMs = (System.nanoTime() - startedNanos) / 1_000_000;
    assertEquals(408, a.status(), a::toString);
    assertTrue(a.headers().get("content-type").startsWith("application/json"), a::toString);
    assertEquals(408, JSON.readTree(a.body()).get("status").asInt(), a::toString);
    assertTrue(tookMs <= withinMs, "408 after " + tookMs + " ms");
    assertTrue(c.closedWithin(2_000), "the connection is closed after a 408");
  }

  @Test
  void aBodyThatStallsHalfWayGets408WithinTheTimeout() throws Exception {
    try (RawHttp c = RawHttp.connect(server.port())) {
      long start = System.nanoTime();
      c.send(head(100) + "{\"step\": 1, ");
      assertTimedOut(c, start, 1_000 + 1_500);
    }
    assertEquals(200, server.get("/healthz").status());
  }

  @Test
  void aBodyThatNeverStartsGets408WithinTheTimeout() throws Exception {
    try (RawHttp c = RawHttp.connect(server.port())) {
      long start = System.nanoTime();
      c.send(head(100));
      assertTimedOut(c, start, 1_000 + 1_500);
    }
  }

  @Test
  void aBodyTrickledAByteAtATimeGets408() throws Exception {
    String body = "{\"step\": 1, \"valLosses\": {\"a\": 1.0}}";
    try (RawHttp c = RawHttp.connect(server.port())) {
      long start = System.nanoTime();
      c.send(head(body.length()));
      for (int i = 0;
          i < body.length() && (System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(5);
          i++) {
        try {
          c.send(body.substring(i, i + 1));
        } catch (java.io.UncheckedIOException closed) {
          break; // the server answered and closed
        }
        Thread.sleep(200);
      }
      assertTimedOut(c, start, 1_000 + 1_500 + 500);
    }
  }

  @Test
  void headersTrickledAByteAtATimeGet408() throws Exception {
    String head =
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "x".repeat(40) + "\r\n\r\n";
    try (RawHttp c = RawHttp.connect(server.port())) {
      long start = System.nanoTime();
      for (int i = 0;
          i < head.length() && (System.nanoTime() - start) < TimeUnit.SECONDS.toNanos(5);
          i++) {
        try {
          c.send(head.substring(i, i + 1));
        } catch (java.io.UncheckedIOException closed) {
          break;
        }
        Thread.sleep(100);
      }
      assertTimedOut(c, start, 1_000 + 1_500);
    }
  }

  @Test
  void aConnectionThatSendsNothingIsAnswered408AndClosed() throws Exception {
    try (RawHttp c = RawHttp.connect(server.port())) {
      assertTimedOut(c, System.nanoTime(), 1_000 + 1_500);
    }
  }

  /** A server of its own: the shared one holds the test client's pooled connections, which count. */
  @Test
  void connectionsBeyondTheCapWaitAndHealthzAnswersOnceOneIsFree() throws Exception {
    List<RawHttp> stalled = new ArrayList<>();
    try (TestServer capped =
        TestServer.startWith(
            new ServerConfig("127.0.0.1", 0, null).withLimits(LIMITS),
            new MemoryStore(),
            RegistryLimits.defaults())) {
      long start = System.nanoTime();
      for (int i = 0; i < CAP; i++) {
        stalled.add(RawHttp.connect(capped.port()).send(head(100) + "{"));
      }
      Thread.sleep(200); // the server accepts them all
      RawHttp late =
          RawHttp.connect(capped.port())
              .send(RawHttp.request("GET", "/healthz", null)); // the kernel's backlog
      stalled.add(late);
      CompletableFuture<RawHttp.Answer> answer =
          CompletableFuture.supplyAsync(() -> late.read(10_000));
      Thread.sleep(500);
      assertFalse(answer.isDone(), "a connection beyond the cap waits");
      RawHttp.Answer a = answer.get(10, TimeUnit.SECONDS);
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(200, a.status(), a::toString);
      // the body timeout, the second a timed-out client has to read its 408, a margin for a busy
      // machine
      assertTrue(
          tookMs < 1_000 + TimedRead.LINGER_MS + 4_000,
          "/healthz answered after " + tookMs + " ms");
      for (RawHttp c : stalled.subList(0, CAP)) {
        assertEquals(408, c.read(5_000).status());
      }
    } finally {
      stalled.forEach(RawHttp::close);
    }
  }

  @Test
  void aFastRequestOnAKeptAliveConnectionIsNotCut() throws Exception {
    try (RawHttp c = RawHttp.connect(server.port())) {
      for (int i = 0; i < 3; i++) {
        c.send(RawHttp.request("GET", "/healthz", null));
        assertEquals(200, c.read(5_000).status());
        Thread.sleep(600); // idle between requests longer than half the header timeout, twice
      }
      c.send(RawHttp.request("POST", STEPS, "{\"step\": 1, \"valLosses\": {\"a\": 1.0}}"));
      assertEquals(200, c.read(5_000).status());
    }
  }
}
