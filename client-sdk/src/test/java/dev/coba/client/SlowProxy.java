package dev.coba.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.coba.protocol.OpenApiContract;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A proxy in front of the sidecar that waits {@code delayMs} before forwarding each request, and
 * records every exchange it completes (for the contract test).
 */
final class SlowProxy implements AutoCloseable {
  /** A request as the client sent it and the sidecar's answer. */
  record Exchange(
      String method,
      String path,
      String requestType,
      String requestBody,
      int status,
      String contentType,
      String body)
      implements OpenApiContract.Exchange {}

  final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final String target;
  private volatile long delayMs;

  SlowProxy(String target) {
    this.target = target;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(pool);
    server.createContext("/", this::forward);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void delayMs(long ms) {
    delayMs = ms;
  }

  private void forward(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      Thread.sleep(delayMs);
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
              .method(
                  ex.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
        String name = h.getKey();
        if (name.equalsIgnoreCase("Authorization") || name.equalsIgnoreCase("Content-Type")) {
          b.header(name, h.getValue().get(0));
        }
      }
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      exchanges.add(
          new Exchange(
              ex.getRequestMethod(),
              ex.getRequestURI().toString(),
              ex.getRequestHeaders().getFirst("Content-Type"),
              new String(body, StandardCharsets.UTF_8),
              r.statusCode(),
              r.headers().firstValue("Content-Type").orElse(""),
              new String(r.body(), StandardCharsets.UTF_8)));
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
      if (r.body().length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(r.body());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client gave up on this request: nothing to answer
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
