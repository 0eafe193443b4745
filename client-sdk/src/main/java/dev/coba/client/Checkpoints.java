package dev.coba.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The run state next to a model checkpoint: {@link #save} writes {@value #FILE_NAME} into the
 * checkpoint's directory (atomically: a temporary file, then a rename); {@link #resume} puts
 * the balancer back where the checkpoint was.
 */
public final class Checkpoints {
  public static final String FILE_NAME = "coba-state.json";

  private Checkpoints() {}

  /** Writes the client's run state into {@code checkpointDir} (created if missing); returns the file. */
  public static Path save(CobaClient client, Path checkpointDir) {
    String json = client.exportState();
    try {
      Files.createDirectories(checkpointDir);
      Path target = checkpointDir.resolve(FILE_NAME);
      Path tmp = Files.createTempFile(checkpointDir, FILE_NAME, ".tmp");
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the run state into " + checkpointDir, e);
    }
  }

  /**
   * Resumes from the model checkpoint of {@code step} in {@code checkpointDir}: restores the
   * saved state when the directory has one, then drops anything reported after {@code step}
   * (a run that went on past the checkpoint); without a saved state it only rewinds.
   */
  public static Weights resume(CobaClient client, Path checkpointDir, long step) {
    Path file = checkpointDir.resolve(FILE_NAME);
    if (Files.isRegularFile(file)) {
      try {
        client.restore(Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    Long at = client.run().step();
    if (at != null && at > step) {
      client.rewind(step);
    }
    return client.weights();
  }
}
