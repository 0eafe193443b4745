package dev.coba.sidecar.runs;

import java.nio.file.Path;

/**
 * The journal's first line: which format it is in and which version, so that a later build
 * knows what it reads and an older one refuses a journal it cannot understand. Journals of
 * builds before the header (version 1) start with an event, and still load.
 *
 * @param snapshotEnd where the snapshot written by the last compaction ends: what follows was
 *     appended since, which decides the next compaction across restarts
 */
record JournalHeader(String format, int version, long snapshotEnd) {
  static final String FORMAT = "coba-sidecar-journal";

  /** 1: no header (older builds); 2: this header, then the same event lines as version 1. */
  static final int VERSION = 2;

  /** A header of this build. */
  static JournalHeader of(long snapshotEnd) {
    return new JournalHeader(FORMAT, VERSION, snapshotEnd);
  }

  /** Refuses a journal that is not one, or one of a newer format than this build reads. */
  void check(Path file) {
    if (!FORMAT.equals(format)) {
      throw new StoreException(
          "journal "
              + file
              + " starts with a header of format '"
              + format
              + "', not '"
              + FORMAT
              + "': refusing to start");
    }
    if (version > VERSION || version < 2) {
      throw new StoreException(
          "journal "
              + file
              + " is of format version "
              + version
              + "; this build reads"
              + " versions 1 to "
              + VERSION
              + " (a newer sidecar wrote it?): refusing to start");
    }
  }
}
