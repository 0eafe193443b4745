package dev.coba.sidecar.crash;

import static dev.coba.sidecar.crash.ForkedSidecar.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal larger than the heap: a forked sidecar with a 24 MiB heap starts on 32 MB of
 * journal (a start used to read the whole file into memory first: out of memory) and replays
 * it line by line. Many long task names make few long lines, cheap to replay: it stays quick.
 */
class LargeJournalStartTest {
  private static final int TASKS = 32;
  private static final long JOURNAL_BYTES = 32_000_000L;

  @TempDir Path data;

  @Test
  void startsOnAJournalLargerThanItsHeap() throws Exception {
    Path journal = data.resolve("journal.log");
    long steps = writeJournal(journal);
    assertTrue(Files.size(journal) >= JOURNAL_BYTES);

    long started = System.nanoTime();
    Process p = ForkedSidecar.start(data, List.of("-Xmx24m"), "--max-history", "50");
    Thread watchdog =
        new Thread(
            () -> { // a JVM that neither listens nor exits (out of memory) fails the test
              try {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                  p.destroyForcibly();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      String url = url(p);
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "started on %d MB of journal (%d steps, %d tasks) under -Xmx24m in %.1f s%n",
          JOURNAL_BYTES / 1_000_000, steps, TASKS, seconds);
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> run =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/v1/runs/big"))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, run.statusCode(), run.body());
      JsonNode body = new ObjectMapper().readTree(run.body());
      assertEquals(steps, body.get("step").asLong());
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** A task name of 120 characters (128 is the most). */
  private static String name(int i) {
    String head = "task-" + i + "-";
    return head + "x".repeat(120 - head.length());
  }

  /** One run of {@link #TASKS} tasks, one report a step until the journal is large enough. */
  private static long writeJournal(Path journal) throws IOException {
    List<String> tasks = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      tasks.add("\"" + name(i) + "\"");
    }
    long step = 0;
    long written = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(journal), 1 << 16)) {
      written +=
          line(
              out,
              "{\"type\":\"create\",\"runId\":\"big\",\"spec\":{\"runId\":\"big\",\"tasks\":"
                  + tasks
                  + ",\"method\":\"uniform\",\"params\":{},\"worldSize\":1,\"initialLosses\":{}}}");
      StringBuilder b = new StringBuilder();
      while (written < JOURNAL_BYTES) {
        step++;
        b.setLength(0);
        b.append("{\"type\":\"report\",\"runId\":\"big\",\"report\":{\"step\":")
            .append(step)
            .append(",\"rank\":0,\"valLosses\":{");
        for (int i = 0; i < TASKS; i++) {
          double loss =
              (1 + i % 5) * Math.exp(-1e-4 * step * (1 + i % 3))
                  + 0.1
                  + 1e-3 * ((step * 31 + i) % 17);
          b.append(i == 0 ? "" : ",").append("\"").append(name(i)).append("\":").append(loss);
        }
        b.append("}}}");
        written += line(out, b.toString());
      }
    }
    return step;
  }

  /** Writes {@code json} as a journal line, {@code <crc32> <json>\n}; answers its length. */
  private static int line(OutputStream out, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    byte[] head = String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    out.write(head);
    out.write(body);
    out.write('\n');
    return head.length + body.length + 1;
  }
}
