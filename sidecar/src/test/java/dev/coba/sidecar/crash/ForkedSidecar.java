package dev.coba.sidecar.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A sidecar in a JVM of its own, for the tests that kill it, starve its heap or restart it. */
final class ForkedSidecar {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+)");

  private ForkedSidecar() {}

  /**
   * Starts {@code serve --port 0 --data-dir data} on the test's class path, with these JVM
   * options before the class path and these {@code serve} options after the data directory.
   */
  static Process start(Path data, List<String> jvmOptions, String... serveOptions)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.coba.sidecar.Main",
            "serve",
            "--port",
            "0",
            "--data-dir",
            data.toString()));
    command.addAll(List.of(serveOptions));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Reads the process's output until it says where it listens; keeps draining it afterwards. */
  static String url(Process p) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain =
            new Thread(() -> out.lines().forEach(l -> {})); // keeps the pipe from filling up
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
    }
    throw new IllegalStateException("the sidecar exited without listening:\n" + seen);
  }
}
