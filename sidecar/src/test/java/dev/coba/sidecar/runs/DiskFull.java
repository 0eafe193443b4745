package dev.coba.sidecar.runs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * A disk that fills up on demand, for the journal: its channels write at most {@link #room}
 * more bytes (a short write, then "No space left on device", as a real full disk answers), and
 * refuse to truncate while {@link #truncateFails}; a compaction fails while
 * {@link #compactionFails}. Deterministic, and needs no privileges.
 */
final class DiskFull implements JournalFiles {
  static final long UNLIMITED = Long.MAX_VALUE;
  volatile long room = UNLIMITED;
  volatile boolean truncateFails;

  /** A compaction's new journal cannot be created. */
  volatile boolean compactionFails;

  @Override
  public FileChannel open(Path path, OpenOption... options) throws IOException {
    if (compactionFails && path.getFileName().toString().equals(JournalStore.COMPACTING)) {
      throw new IOException("No space left on device");
    }
    return new Channel(FileChannel.open(path, options));
  }

  /** Takes up to {@code wanted} bytes of the room left; throws when none is. */
  private synchronized int take(int wanted) throws IOException {
    if (wanted > 0 && room == 0) {
      throw new IOException("No space left on device");
    }
    int granted = (int) Math.min(wanted, room);
    if (room != UNLIMITED) {
      room -= granted;
    }
    return granted;
  }

  /** A real channel whose writes and truncations go through the disk's state. */
  private final class Channel extends FileChannel {
    private final FileChannel inner;

    Channel(FileChannel inner) {
      this.inner = inner;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return inner.write(limited(src, take(src.remaining())));
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return inner.write(limited(src, take(src.remaining())), position);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) {
        if (srcs[i].hasRemaining()) {
          int granted = take(srcs[i].remaining());
          n += inner.write(limited(srcs[i], granted));
          if (srcs[i].hasRemaining()) {
            return n; // a short write; the next call meets the full disk
          }
        }
      }
      return n;
    }

    /** {@code src} limited to {@code granted} bytes; {@code src} advances by what gets written. */
    private ByteBuffer limited(ByteBuffer src, int granted) {
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + granted);
      src.position(src.position() + granted);
      return part;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (truncateFails) {
        throw new IOException("Input/output error (truncate)");
      }
      inner.truncate(size);
      return this;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return inner.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return inner.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return inner.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return inner.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      inner.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return inner.size();
    }

    @Override
    public void force(boolean metaData) throws IOException {
      inner.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) {
      throw new UnsupportedOperationException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return inner.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return inner.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      inner.close();
    }
  }
}
