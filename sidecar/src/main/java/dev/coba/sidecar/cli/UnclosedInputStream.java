package dev.coba.sidecar.cli;

import java.io.FilterInputStream;
import java.io.InputStream;

/** Standard input handed to a reader that closes what it reads, without closing the real stream. */
final class UnclosedInputStream extends FilterInputStream {
  UnclosedInputStream(InputStream in) {
    super(in);
  }

  @Override
  public void close() {
    // the stream belongs to the caller (System.in, or a test's input)
  }
}
