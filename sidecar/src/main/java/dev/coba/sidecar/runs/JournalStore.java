package dev.coba.sidecar.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.coba.sidecar.json.EscapedSurrogates;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The embedded default store: an append-only journal, {@code journal.log} in the data
 * directory, one event a line as {@code <crc32> <json>}. An append returns once its line is
 * written and forced to disk; one writer thread forces whatever has queued meanwhile in one go
 * (group commit), so many clients share each fsync. On open, a torn last line (a crash in the
 * middle of a write, never acknowledged) is cut off; damage anywhere else refuses to start.
 * A lock file keeps a second sidecar off the same directory.
 */
public final class JournalStore implements Store {
  static final String JOURNAL = "journal.log";
  private static final int MAX_BATCH = 4096;

  private final Path dir;
  private final Path file;
  private final ObjectMapper json = Json.mapper();
  private final ObjectWriter eventWriter = json.writerFor(Event.class);
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Object io = new Object();
  private final Thread writer;
  private FileChannel channel;
  private List<Event> recovered;
  private volatile boolean closed;
  /** Read on every change to decide about compaction: volatile, so reading never waits for an fsync. */
  private volatile long bytesSinceRewrite;

  private record Pending(byte[] line, CompletableFuture<Void> done) {}

  private JournalStore(Path dir) throws IOException {
    this.dir = dir;
    this.file = dir.resolve(JOURNAL);
    Files.createDirectories(dir);
    lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held = null;
    try {
      held = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      // held by this very process
    }
    lock = held;
    if (lock == null) {
      lockChannel.close();
      throw new StoreException("data directory " + dir + " is in use by another sidecar");
    }
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      recovered = readAndRepair();
      channel.position(channel.size());
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      lock.release();
      lockChannel.close();
      throw e;
    }
    writer = new Thread(this::writeLoop, "coba-journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens (creating if needed) the journal in {@code dir}. */
  public static JournalStore open(Path dir) {
    try {
      return new JournalStore(dir);
    } catch (IOException e) {
      throw new StoreException("cannot open the journal in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void append(Event event) {
    Pending p = new Pending(encode(event), new CompletableFuture<>());
    if (closed) {
      throw new StoreException("the store is closed");
    }
    queue.add(p);
    try {
      p.done().get();
    } catch (ExecutionException e) {
      throw new StoreException("could not make the report durable: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while making the report durable", e);
    }
  }

  @Override
  public synchronized void replay(Consumer<Event> sink) {
    if (recovered == null) {
      throw new IllegalStateException("the journal is replayed once, at start-up");
    }
    List<Event> events = recovered;
    recovered = null; // free the memory: from now on the registry holds the state
    events.forEach(sink);
  }

  @Override
  public void rewrite(List<Event> events) {
    Path tmp = dir.resolve(JOURNAL + ".tmp");
    synchronized (io) {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        for (Event e : events) {
          writeFully(out, ByteBuffer.wrap(encode(e)));
        }
        out.force(true);
        channel.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true); // the rename itself must survive a crash
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        channel.position(channel.size());
        bytesSinceRewrite = 0;
      } catch (IOException e) {
        throw new StoreException("compaction failed: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public long bytesSinceRewrite() {
    return bytesSinceRewrite;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.join(10_000);
      synchronized (io) {
        channel.close();
      }
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new StoreException("closing the journal failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    List<Pending> batch = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        writeBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void writeBatch(List<Pending> batch) {
    try {
      synchronized (io) {
        ByteBuffer[] buffers = new ByteBuffer[batch.size()];
        long total = 0;
        for (int i = 0; i < buffers.length; i++) {
          buffers[i] = ByteBuffer.wrap(batch.get(i).line());
          total += buffers[i].remaining();
        }
        long written = 0;
        while (written < total) {
          written += channel.write(buffers);
        }
        channel.force(false);
        bytesSinceRewrite += total;
      }
      batch.forEach(p -> p.done().complete(null));
    } catch (IOException | RuntimeException e) {
      batch.forEach(p -> p.done().completeExceptionally(e));
    }
  }

  private byte[] encode(Event event) {
    try {
      byte[] body = eventWriter.writeValueAsBytes(event);
      CRC32 crc = new CRC32();
      crc.update(body);
      byte[] head = String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
      byte[] line = new byte[head.length + body.length + 1];
      System.arraycopy(head, 0, line, 0, head.length);
      System.arraycopy(body, 0, line, head.length, body.length);
      line[line.length - 1] = '\n';
      return line;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an event could not be written as JSON", e);
    }
  }

  /** Reads every intact line; cuts off a torn last line; refuses damage before the end. */
  private List<Event> readAndRepair() throws IOException {
    byte[] data = Files.readAllBytes(file);
    List<Event> events = new ArrayList<>();
    int start = 0;
    while (start < data.length) {
      int end = start;
      while (end < data.length && data[end] != '\n') {
        end++;
      }
      Event e = end < data.length ? decode(data, start, end) : null;
      if (e == null) {
        if (end + 1 < data.length) {
          throw new StoreException("journal " + file + " is damaged at byte " + start
              + " (not at its end, so not a torn write): refusing to start");
        }
        channel.truncate(start); // a write the crash cut short: it was never acknowledged
        channel.force(true);
        break;
      }
      events.add(e);
      start = end + 1;
    }
    return events;
  }

  private Event decode(byte[] data, int start, int end) {
    if (end - start < 10 || data[start + 8] != ' ') {
      return null;
    }
    CRC32 crc = new CRC32();
    crc.update(data, start + 9, end - start - 9);
    String expected = new String(data, start, 8, StandardCharsets.US_ASCII);
    if (!expected.equals(String.format("%08x", crc.getValue()))) {
      return null;
    }
    try {
      int off = start + 9;
      int len = end - off;
      String text = EscapedSurrogates.in(data, off, len) ? EscapedSurrogates.decode(data, off, len) : null;
      return text != null ? json.readValue(text, Event.class) : json.readValue(data, off, len, Event.class);
    } catch (IOException ex) {
      throw new StoreException("journal " + file + " has an unreadable event at byte " + start + ": " + ex.getMessage(), ex);
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }
}
