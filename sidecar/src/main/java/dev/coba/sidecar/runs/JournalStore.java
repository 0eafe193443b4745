package dev.coba.sidecar.runs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default store: an append-only journal, {@code journal.log} in the data
 * directory: a {@link JournalHeader} line, then one event a line ({@link JournalCodec}). An
 * append returns once its line is written and forced to disk; one writer thread forces
 * whatever has queued meanwhile in one go (group commit), so many clients share each fsync.
 *
 * <p>What survives the disk: a start streams the journal line by line (memory bounded by the
 * longest line) and cuts off a torn or damaged last line, a write that a crash cut short and
 * that was never acknowledged, saying so in the log; damage anywhere else refuses to start. A
 * write that fails (a full disk) leaves part of its batch in the file: before anything else is
 * appended the file is cut back to its last good line, and until that and a write succeed
 * every append fails and {@link #failure} says why. An OS lock on the journal
 * ({@link JournalLock}) keeps a second sidecar out.
 */
public final class JournalStore implements Store {
  private static final Logger LOG = LoggerFactory.getLogger(JournalStore.class);
  static final String JOURNAL = "journal.log";

  /** A compaction's new journal until it is renamed into place. */
  static final String COMPACTING = JOURNAL + ".tmp";

  /** Written and deleted to learn whether the disk takes writes again after a failure. */
  static final String PROBE = "journal.probe";

  private static final int MAX_BATCH = 4096;
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Path dir;
  private final Path file;
  private final JournalFiles files;
  private final JournalCodec codec;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();

  /** Guards the channel and the offsets below: the writer thread, a replay and a compaction. */
  private final Object io = new Object();

  private final Thread writer;
  private FileChannel channel;

  /** Where the events start: after the header (0 in a journal of older builds). */
  private long eventsStart;

  /** Where the last good line ends; the file may hold more only while {@link #tailDirty}. */
  private long end;

  /** Where the last compaction's snapshot ends (0 before any, and in journals of older builds). */
  private long snapshotEnd;

  /** A write failed: bytes after {@link #end} may be a fragment, cut before anything is appended. */
  private boolean tailDirty;

  private volatile boolean replayed;
  private long lastRetry;
  private volatile String failure;

  /** Read on every change to decide about compaction: volatile, so reading never waits for an fsync. */
  private volatile long bytesSinceRewrite;

  private volatile boolean closed;

  private record Pending(byte[] line, CompletableFuture<Void> done) {}

  private JournalStore(Path dir, JournalFiles files) throws IOException {
    this.dir = dir;
    this.file = dir.resolve(JOURNAL);
    this.files = files;
    this.codec = new JournalCodec(file);
    Files.createDirectories(dir);
    channel = JournalLock.open(file, files);
    try {
      // leftovers of a compaction or a probe that a crash interrupted; this process owns the
      // directory now
      Files.deleteIfExists(dir.resolve(COMPACTING));
      Files.deleteIfExists(dir.resolve(PROBE));
      readHeader();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    writer = new Thread(this::writeLoop, "coba-journal-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens (creating if needed) and locks the journal in {@code dir}; {@link #replay} comes next. */
  public static JournalStore open(Path dir) {
    return open(dir, JournalFiles.DEFAULT);
  }

  static JournalStore open(Path dir, JournalFiles files) {
    try {
      return new JournalStore(dir, files);
    } catch (IOException e) {
      throw new StoreException("cannot open the journal in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The journal's size in bytes as opened, for a start-up message. */
  public long size() {
    try {
      return channel.size();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public void append(Event event) {
    Pending p = new Pending(codec.encode(event), new CompletableFuture<>());
    if (closed) {
      throw new StoreException("the store is closed");
    }
    if (!replayed) {
      throw new IllegalStateException("the journal is replayed before anything is appended");
    }
    queue.add(p);
    try {
      p.done().get();
    } catch (ExecutionException e) {
      throw new StoreException(
          "could not make the report durable: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while making the report durable", e);
    }
  }

  /**
   * Streams every intact event to {@code sink}, once, at start-up; cuts off a torn or damaged
   * last line; refuses damage before the end (some events may have reached the sink by then).
   */
  @Override
  public void replay(Consumer<Event> sink) {
    synchronized (io) {
      if (replayed) {
        throw new IllegalStateException("the journal is replayed once, at start-up");
      }
      try {
        end = replayLines(sink);
        if (end == 0) { // new, or only a torn first line: give it its header
          byte[] header = codec.header(0);
          writeFully(channel, ByteBuffer.wrap(codec.header(header.length)), 0);
          channel.force(true);
          end = header.length;
          snapshotEnd = end;
        }
        channel.position(end);
      } catch (IOException e) {
        throw new StoreException("cannot read the journal " + file + ": " + e.getMessage(), e);
      }
      bytesSinceRewrite = end - snapshotEnd;
      replayed = true;
    }
  }

  /** Hands every intact event to {@code sink}; answers where the last good line ends. */
  private long replayLines(Consumer<Event> sink) throws IOException {
    LineReader lines = new LineReader(channel, eventsStart);
    long good = eventsStart;
    for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
      Event e = line.complete() ? codec.event(line) : null;
      if (e == null) {
        boolean complete = line.complete();
        int length = line.length() + (complete ? 1 : 0);
        if (lines.next() != null) {
          throw new StoreException(
              "journal "
                  + file
                  + " is damaged at byte "
                  + line.offset()
                  + " (not at its end, so not a torn write): refusing to start");
        }
        channel.truncate(
            line.offset()); // a write that a crash cut short: it was never acknowledged
        channel.force(true);
        LOG.warn(
            "journal {}: cut off its last line, {} bytes at byte {} ({}): a write that a crash cut short,"
                + " never acknowledged",
            file,
            length,
            line.offset(),
            complete ? "its checksum does not match" : "no newline");
        return line.offset();
      }
      sink.accept(e);
      good = line.end();
    }
    return good;
  }

  /** Reads the first line: a header tells the format and where the last snapshot ends. */
  private void readHeader() throws IOException {
    LineReader.Line first = new LineReader(channel, 0).next();
    JournalHeader header = first != null && first.complete() ? codec.header(first) : null;
    if (header == null) {
      return; // empty, or of older builds (events from the first line on), or damaged: replay
      // decides
    }
    header.check(file);
    eventsStart = first.end();
    snapshotEnd = header.snapshotEnd();
  }

  @Override
  public void rewrite(Iterable<Event> events) {
    Path tmp = dir.resolve(COMPACTING);
    synchronized (io) {
      if (!replayed) {
        throw new IllegalStateException("the journal is replayed before it is rewritten");
      }
      FileChannel out = null;
      boolean renamed = false;
      try {
        out =
            files.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        JournalLock.lockNew(out, tmp);
        long size = writeFully(out, ByteBuffer.wrap(codec.header(0)), 0);
        for (Event e : events) {
          size += writeFully(out, ByteBuffer.wrap(codec.encode(e)), size);
        }
        writeFully(
            out, ByteBuffer.wrap(codec.header(size)), 0); // the same length: fills in the number
        out.force(true);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        renamed = true;
        FileChannel old = channel;
        channel = out; // locked already, and the name points to it
        out.position(size);
        old.close(); // and its lock
        end = size;
        snapshotEnd = size;
        eventsStart = codec.header(0).length;
        tailDirty = false;
        bytesSinceRewrite = 0;
        recovered();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true); // the rename itself must survive a crash
        }
      } catch (IOException | RuntimeException e) {
        if (!renamed) {
          closeQuietly(out);
          deleteQuietly(tmp); // a full disk needs that space back
        }
        throw new StoreException("compaction failed: " + e.getMessage(), e);
      }
    }
  }

  @Override
  public long bytesSinceRewrite() {
    return bytesSinceRewrite;
  }

  @Override
  public String failure() {
    return failure;
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
        channel.close(); // and the lock
      }
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
          retryIfFailing();
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
        cutBackIfDirty();
        ByteBuffer[] buffers = new ByteBuffer[batch.size()];
        long total = 0;
        for (int i = 0; i < buffers.length; i++) {
          buffers[i] = ByteBuffer.wrap(batch.get(i).line());
          total += buffers[i].remaining();
        }
        tailDirty = true; // until the batch is written and forced
        long written = 0;
        while (written < total) {
          written += channel.write(buffers);
        }
        channel.force(false);
        tailDirty = false;
        end += total;
        bytesSinceRewrite = end - snapshotEnd;
        recovered();
      }
      batch.forEach(p -> p.done().complete(null));
    } catch (
        Throwable e) { // even an OutOfMemoryError: the writer thread must live on, or appends wait
      // forever
      failed(e);
      batch.forEach(p -> p.done().completeExceptionally(e));
    }
  }

  /** Cuts the file back to its last good line when a failed write may have left a fragment. */
  private void cutBackIfDirty() throws IOException {
    if (tailDirty) {
      channel.truncate(end);
      channel.position(end);
      channel.force(true);
      tailDirty = false;
    }
  }

  /**
   * While failing and idle, once a second: cuts the fragment and checks that the disk takes a
   * write again, so that {@link #failure} clears without waiting for the next append.
   */
  private void retryIfFailing() {
    if (failure == null || System.nanoTime() - lastRetry < RETRY_NANOS) {
      return;
    }
    lastRetry = System.nanoTime();
    Path probe = dir.resolve(PROBE);
    try {
      synchronized (io) {
        cutBackIfDirty();
        try (FileChannel p =
            files.open(
                probe,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
          writeFully(p, ByteBuffer.allocate(4096), 0);
          p.force(true);
        } finally {
          Files.deleteIfExists(probe);
        }
        recovered();
      }
    } catch (Throwable e) {
      failure = describe(e);
    }
  }

  private void failed(Throwable e) {
    String was = failure;
    failure = describe(e);
    lastRetry = System.nanoTime();
    if (was == null) {
      LOG.error(
          "journal {}: a write failed ({}); every change is refused until the disk takes writes again",
          file,
          failure,
          e); // the stack trace once per failure, not once per refused request
    }
  }

  private void recovered() {
    if (failure != null) {
      failure = null;
      LOG.info("journal {}: writes succeed again", file);
    }
  }

  private static String describe(Throwable e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /** Writes all of {@code b} at {@code position}; answers how many bytes that was. */
  private static long writeFully(FileChannel out, ByteBuffer b, long position) throws IOException {
    long n = 0;
    while (b.hasRemaining()) {
      n += out.write(b, position + n);
    }
    return n;
  }

  private static void closeQuietly(FileChannel c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (IOException ignored) {
      // the compaction failed already; that is what gets reported
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // as above
    }
  }
}
