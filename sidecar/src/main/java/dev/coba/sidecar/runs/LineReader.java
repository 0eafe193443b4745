package dev.coba.sidecar.runs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads a file line by line from an offset, through one fixed buffer: memory is bounded by the
 * longest line, never by the file (a start used to read the whole journal at once).
 */
final class LineReader {
  private static final int BUFFER = 1 << 16;

  /**
   * One line: {@code length} bytes of {@code bytes} from {@code off}, valid until the next call
   * to {@link #next}; {@code complete} when a {@code '\n'} ended it (not counted in length).
   */
  record Line(long offset, byte[] bytes, int off, int length, boolean complete) {
    /** Where the next line starts. */
    long end() {
      return offset + length + (complete ? 1 : 0);
    }
  }

  private final FileChannel channel;
  private final byte[] buffer = new byte[BUFFER];
  private final Spill spill = new Spill();

  /** File offset of {@code buffer[0]}. */
  private long bufferStart;

  private int filled;
  private int pos;

  /** A line longer than the buffer, gathered across refills. */
  private static final class Spill extends ByteArrayOutputStream {
    byte[] array() {
      return buf;
    }
  }

  LineReader(FileChannel channel, long from) {
    this.channel = channel;
    this.bufferStart = from;
  }

  /** The next line, or null at the end of the file. */
  Line next() throws IOException {
    if (pos == filled && !refill()) {
      return null;
    }
    long offset = bufferStart + pos;
    int from = pos;
    int newline = indexOfNewline(from);
    if (newline >= 0) {
      pos = newline + 1;
      return new Line(offset, buffer, from, newline - from, true);
    }
    spill.reset();
    spill.write(buffer, from, filled - from);
    pos = filled;
    while (refill()) {
      newline = indexOfNewline(0);
      if (newline >= 0) {
        spill.write(buffer, 0, newline);
        pos = newline + 1;
        return new Line(offset, spill.array(), 0, spill.size(), true);
      }
      spill.write(buffer, 0, filled);
      pos = filled;
    }
    return new Line(offset, spill.array(), 0, spill.size(), false);
  }

  private int indexOfNewline(int from) {
    for (int i = from; i < filled; i++) {
      if (buffer[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Reads the next chunk into the buffer; false at the end of the file. */
  private boolean refill() throws IOException {
    bufferStart += filled;
    filled = 0;
    pos = 0;
    ByteBuffer into = ByteBuffer.wrap(buffer);
    while (into.hasRemaining()) {
      int n = channel.read(into, bufferStart + into.position());
      if (n < 0) {
        break;
      }
    }
    filled = into.position();
    return filled > 0;
  }
}
