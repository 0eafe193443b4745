package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.coba.sidecar.CliRun;
import dev.coba.sidecar.runs.JournalStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}: its refusals in-process; listening, env fallbacks and SIGTERM in forked JVMs. */
class ServeCommandTest {
  static final Pattern LISTENING =
      Pattern.compile("coba-sidecar listening on http://([^ ]+):(\\d+) \\(data: (.+)\\)");

  @TempDir Path dir;

  @Test
  void refusesAnyAddressWithoutATokenOrInsecure() {
    assumeTrue(System.getenv("COBA_TOKEN") == null, "COBA_TOKEN is set in this environment");
    CliRun r =
        CliRun.run("", "serve", "--bind", "0.0.0.0", "--port", "0", "--data-dir", dir.toString());
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("refusing to listen on 0.0.0.0 without a token"), r::toString);
    assertEquals("", r.out());
  }

  @Test
  void refusesBadOptions() {
    for (String[] args :
        List.of(
            new String[] {"serve", "--port", "70000"},
            new String[] {"serve", "--port", "-1"},
            new String[] {"serve", "--port", "http"},
            new String[] {"serve", "--max-runs", "0"},
            new String[] {"serve", "--max-history", "0"},
            new String[] {"serve", "--token", "has space"},
            new String[] {"serve", "--max-connections", "0"},
            new String[] {"serve", "--read-token", "reader"},
            new String[] {"serve", "--token", "same", "--read-token", "same"},
            new String[] {"serve", "--bind", "no-such-host.invalid"})) {
      CliRun r = CliRun.run("", args);
      assertEquals(2, r.code(), () -> String.join(" ", args) + "\n" + r);
      assertTrue(
          r.err().startsWith("coba-sidecar serve: ") || r.err().startsWith("coba-sidecar"),
          r::toString);
    }
  }

  @Test
  void helpListsTheOptionsAndEnvironment() {
    CliRun r = CliRun.run("", "serve", "--help");
    assertEquals(0, r.code(), r::toString);
    for (String s :
        List.of(
            "--port",
            "--bind",
            "--data-dir",
            "--token",
            "--insecure",
            "--max-runs",
            "--max-history",
            "--read-token",
            "--max-connections",
            "COBA_PORT",
            "COBA_BIND",
            "COBA_DATA_DIR",
            "COBA_TOKEN",
            "COBA_READ_TOKEN",
            "COBA_MAX_CONNECTIONS",
            "Exit codes:")) {
      assertTrue(r.out().contains(s), s + " missing from\n" + r.out());
    }
  }

  @Test
  void aTakenPortIsOneLineAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun r =
          CliRun.run(
              "",
              "serve",
              "--bind",
              "127.0.0.1",
              "--port",
              String.valueOf(taken.getLocalPort()),
              "--data-dir",
              dir.toString());
      assertEquals(1, r.code(), r::toString);
      assertEquals(
          "coba-sidecar serve: cannot listen on 127.0.0.1:"
              + taken.getLocalPort()
              + ": the port is in use"
              + " (another sidecar or program listens there; pick another with --port)\n",
          r.err(),
          r::toString);
      assertEquals("", r.out());
    }
    JournalStore.open(dir).close(); // and the data directory was let go
  }

  @Test
  void aJournalDamagedBeforeItsEndIsOneLineAndExitCode1() throws Exception {
    try (JournalStore store = JournalStore.open(dir)) {
      store.replay(e -> {});
    }
    Files.writeString(
        dir.resolve("journal.log"), "garbage\n00000000 {}\n", StandardOpenOption.APPEND);
    CliRun r =
        CliRun.run("", "serve", "--bind", "127.0.0.1", "--port", "0", "--data-dir", dir.toString());
    assertEquals(1, r.code(), r::toString);
    assertTrue(
        r.err()
            .matches(
                "coba-sidecar serve: journal .* is damaged at byte \\d+ \\(not at its end.*\n"),
        r::toString);
  }

  /**
   * Two processes on one data directory: the second exits 1, also when the {@code lock} file of
   * older builds was deleted (it stays after a clean stop, so it looks stale).
   */
  @Test
  void aSecondSidecarOnTheSameDirectoryIsRefused() throws Exception {
    Path data = dir.resolve("data");
    Forked first = Forked.start(Map.of(), "--port", "0", "--data-dir", data.toString());
    try {
      Files.deleteIfExists(data.resolve("lock"));
      Process second =
          Forked.command(Map.of(), "--port", "0", "--data-dir", data.toString())
              .redirectErrorStream(true)
              .start();
      CompletableFuture<String> read =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  return "(its output was cut: " + e.getMessage() + ")";
                }
              });
      boolean exited = second.waitFor(30, TimeUnit.SECONDS);
      if (!exited) {
        second.destroyForcibly();
      }
      String output = read.get(10, TimeUnit.SECONDS);
      assertTrue(exited, "a second sidecar is serving the same journal:\n" + output);
      assertEquals(1, second.exitValue(), output);
      assertTrue(output.contains("is in use by another sidecar"), output);
      assertEquals(200, first.request("GET", "/readyz", null, null).statusCode());
    } finally {
      first.terminate();
    }
  }

  /** A forked {@code serve}: listens, keeps runs across a SIGTERM restart, flags beat env. */
  @Test
  void forkedServeListensStopsOnSigtermAndKeepsItsRuns() throws Exception {
    Path data = dir.resolve("data");
    String token = "forked-s3cret";
    // 1: env says 0.0.0.0 without a token (refused), the flag says loopback (wins)
    Forked first =
        Forked.start(
            Map.of("COBA_BIND", "0.0.0.0", "COBA_DATA_DIR", data.toString()),
            "--bind",
            "127.0.0.1",
            "--port",
            "0");
    try {
      assertEquals("127.0.0.1", first.host);
      assertEquals(data.toString(), first.data);
      assertEquals(200, first.request("GET", "/readyz", null, null).statusCode());
      assertEquals(
          201,
          first
              .request(
                  "POST",
                  "/v1/runs",
                  "{\"runId\": \"kept\", \"tasks\": [\"a\", \"b\"], \"method\": \"coba\"}",
                  null)
              .statusCode());
      assertEquals(
          200,
          first
              .request(
                  "POST",
                  "/v1/runs/kept/steps",
                  "{\"step\": 1, \"valLosses\": {\"a\": 2.0, \"b\": 2.5}}",
                  null)
              .statusCode());
    } finally {
      first.terminate();
    }
    assertEquals(
        143,
        first.exitCode(),
        first::output); // 128 + SIGTERM: the JVM's exit after its shutdown hooks
    assertFalse(first.output().contains("Exception"), first::output);

    // 2: everything from the environment, a token this time
    Forked second =
        Forked.start(
            Map.of("COBA_PORT", "0", "COBA_DATA_DIR", data.toString(), "COBA_TOKEN", token));
    try {
      assertEquals(401, second.request("GET", "/v1/runs/kept", null, null).statusCode());
      HttpResponse<String> kept = second.request("GET", "/v1/runs/kept", null, token);
      assertEquals(200, kept.statusCode(), kept::body);
      assertTrue(kept.body().contains("\"step\":1"), kept.body());
    } finally {
      second.terminate();
    }
    assertEquals(143, second.exitCode(), second::output);
    assertFalse(second.output().contains(token), "the token is never printed");
  }

  /** A {@code coba-sidecar serve} in its own JVM, on this test's class path. */
  static final class Forked {
    final Process process;
    final List<String> lines = new ArrayList<>();
    String host;
    int port;
    String data;

    private Forked(Process process) {
      this.process = process;
    }

    /** {@code coba-sidecar serve args} in a JVM of its own, with only {@code env} of the COBA_ variables. */
    static ProcessBuilder command(Map<String, String> env, String... args) {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.coba.sidecar.Main",
                  "serve"));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().keySet().removeIf(k -> k.startsWith("COBA_"));
      pb.environment().putAll(env);
      return pb;
    }

    static Forked start(Map<String, String> env, String... args)
        throws IOException, InterruptedException {
      Forked f = new Forked(command(env, args).redirectErrorStream(true).start());
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(f.process.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        String line = out.readLine();
        if (line == null) {
          break;
        }
        f.lines.add(line);
        Matcher m = LISTENING.matcher(line);
        if (m.matches()) {
          f.host = m.group(1);
          f.port = Integer.parseInt(m.group(2));
          f.data = m.group(3);
          Thread drain =
              new Thread(
                  () ->
                      out.lines()
                          .forEach(
                              l -> {
                                synchronized (f.lines) {
                                  f.lines.add(l);
                                }
                              }));
          drain.setDaemon(true);
          drain.start();
          return f;
        }
      }
      f.process.destroyForcibly();
      throw new AssertionError(
          "no 'listening' line from the forked sidecar:\n" + String.join("\n", f.lines));
    }

    HttpResponse<String> request(String method, String path, String json, String bearer)
        throws Exception {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
              .method(
                  method,
                  json == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(json));
      if (json != null) {
        b.header("Content-Type", "application/json");
      }
      if (bearer != null) {
        b.header("Authorization", "Bearer " + bearer);
      }
      return TestServer.CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGTERM, as an orchestrator stops a container. */
    void terminate() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }

    int exitCode() {
      return process.exitValue();
    }

    String output() {
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }
  }

  @Test
  void theListeningLineParses() {
    Matcher m =
        LISTENING.matcher("coba-sidecar listening on http://127.0.0.1:8470 (data: ./coba-data)");
    assertTrue(m.matches());
    assertNotNull(m.group(2));
    assertTrue(Files.isDirectory(dir));
  }
}
