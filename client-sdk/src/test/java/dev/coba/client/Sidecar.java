package dev.coba.client;

import dev.coba.sidecar.http.ServerConfig;
import dev.coba.sidecar.http.SidecarServer;
import dev.coba.sidecar.runs.JournalStore;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.RegistryLimits;
import dev.coba.sidecar.runs.RunRegistry;
import dev.coba.sidecar.runs.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** The real sidecar, in this JVM, on 127.0.0.1. */
final class Sidecar implements AutoCloseable {
  static final String TOKEN = "test-token";
  private final RunRegistry registry;
  private final SidecarServer server;

  private Sidecar(Store store, int port) {
    registry = RunRegistry.open(store, RegistryLimits.defaults());
    server =
        dev.coba.sidecar.cli.Assembly.server(registry, new ServerConfig("127.0.0.1", port, TOKEN))
            .start();
  }

  static Sidecar inMemory() {
    return new Sidecar(new MemoryStore(), 0);
  }

  /** Durable in {@code dir}: stopped and started again on the same port, it has every acknowledged report. */
  static Sidecar journal(Path dir, int port) {
    return new Sidecar(JournalStore.open(dir), port);
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.port();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  static RemoteConfig.Builder config(
      String url, RunDefinition run, @Nullable ClientListener listener) {
    return RemoteConfig.builder(url, run)
        .token(TOKEN)
        .listener(listener == null ? ClientListener.none() : listener);
  }

  @Override
  public void close() {
    server.stop();
    registry.close(); // releases the journal's directory for the next start
  }
}
