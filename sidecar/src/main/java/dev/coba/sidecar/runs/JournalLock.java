package dev.coba.sidecar.runs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Keeps a second sidecar off a journal: an exclusive OS lock on {@code journal.log} itself,
 * held while the journal is open and gone with the process, however it ends. A lock on a
 * separate file kept nobody out once that file was deleted (it stays after a clean stop, so
 * it looks stale); the journal cannot be deleted without deleting the data.
 *
 * <p>A compaction renames a new file into place, locked before the rename. Whoever opens the
 * journal meanwhile may lock the old file just after its owner let go of it, so opening checks
 * that the file it locked is still the one the name points to, and looks again if not.
 */
final class JournalLock {
  private static final int ATTEMPTS = 5;

  private JournalLock() {}

  /** The journal (created if missing), open for reading and writing, and locked. */
  static FileChannel open(Path file, JournalFiles files) throws IOException {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Object before = fileKey(file);
      FileChannel channel =
          files.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this very process holds it
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        channel.close();
        throw new StoreException(
            "data directory "
                + file.getParent()
                + " is in use by another sidecar"
                + " (it holds the lock on "
                + file.getFileName()
                + ")");
      }
      if (before != null && before.equals(fileKey(file))
          || before == null && Files.exists(file) && fileKey(file) == null) {
        return channel; // the second case: a file system without file keys, nothing to compare
      }
      channel.close(); // just created, or replaced under us: the name points elsewhere now
    }
    throw new StoreException(
        "journal " + file + " was replaced " + ATTEMPTS + " times while being opened");
  }

  /** The file's identity (device and inode on Unix); null when missing or not supported. */
  private static Object fileKey(Path file) throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Locks a new journal before it is renamed into place; nobody else knows its name yet. */
  static void lockNew(FileChannel channel, Path file) throws IOException {
    if (channel.tryLock() == null) {
      throw new IOException("cannot lock " + file);
    }
  }
}
