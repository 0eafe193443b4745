package dev.coba.sidecar.http;

import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.sidecar.runs.Store;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/** A real server on a free loopback port over an in-memory store, and a client for it. */
final class TestServer implements AutoCloseable {
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final RunRegistry registry;
  final SidecarServer server;
  final String base;

  /** Sent as the bearer token by the plain helpers; null for none. */
  String token;

  /** Sees every response: the contract checks of {@link RoutesTest}. */
  Consumer<Response> observer = r -> {};

  private TestServer(RunRegistry registry, ServerConfig config) {
    this.registry = registry;
    this.server = dev.coba.sidecar.cli.Assembly.server(registry, config).start();
    this.base = "http://127.0.0.1:" + server.port();
    this.token = config.token();
  }

  static TestServer start() {
    return start(null, new MemoryStore(), RegistryLimits.defaults());
  }

  static TestServer start(String token, Store store, RegistryLimits limits) {
    return startWith(new ServerConfig("127.0.0.1", 0, token), store, limits);
  }

  /** A server on a free loopback port with {@code config} (its bind and port are ignored). */
  static TestServer startWith(ServerConfig config, Store store, RegistryLimits limits) {
    ServerConfig loopback =
        new ServerConfig("127.0.0.1", 0, config.token(), config.readToken(), config.limits());
    return new TestServer(RunRegistry.open(store, limits), loopback);
  }

  int port() {
    return server.port();
  }

  /** A server in front of {@code registry} as it is: loaded or not yet ({@link RunRegistry#unloaded}). */
  static TestServer over(RunRegistry registry) {
    return new TestServer(registry, ServerConfig.loopback());
  }

  Response get(String path) {
    return send("GET", path, null, null, token);
  }

  Response delete(String path) {
    return send("DELETE", path, null, null, token);
  }

  Response post(String path, String json) {
    return send("POST", path, json, "application/json", token);
  }

  Response put(String path, String json) {
    return send("PUT", path, json, "application/json", token);
  }

  /** Any request; a null {@code contentType} or {@code bearer} sends no such header. */
  Response send(String method, String path, String body, String contentType, String bearer) {
    return send(
        method,
        path,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        contentType,
        bearer,
        false);
  }

  /** A request with the token and extra {@code headers} (name, value, name, value...); a body is JSON. */
  Response sendWith(String method, String path, String body, String... headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(90))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return exchange(method, path, b);
  }

  /** {@code chunked}: the body is streamed without a Content-Length. */
  Response send(
      String method, String path, byte[] body, String contentType, String bearer, boolean chunked) {
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(90))
            .method(method, publisher);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return exchange(method, path, b);
  }

  private Response exchange(String method, String path, HttpRequest.Builder b) {
    try {
      HttpResponse<String> r =
          CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      Response response = new Response(method, path, r.statusCode(), r.body(), r.headers());
      observer.accept(response);
      return response;
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
    registry.close();
  }
}
