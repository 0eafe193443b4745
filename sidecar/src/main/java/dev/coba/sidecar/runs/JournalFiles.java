package dev.coba.sidecar.runs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/** How the journal opens its files: {@link FileChannel#open}; tests hand in channels that fail. */
@FunctionalInterface
interface JournalFiles {
  JournalFiles DEFAULT = FileChannel::open;

  FileChannel open(Path path, OpenOption... options) throws IOException;
}
