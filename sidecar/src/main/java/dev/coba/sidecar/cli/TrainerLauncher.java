package dev.coba.sidecar.cli;

import dev.coba.core.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs an entry point of the reference trainer, which lives in {@code lib/trainer/} next to this
 * jar and is loaded only here: {@code serve}, {@code replay} and the balancer benchmarks never load
 * DJL and PyTorch (a 112 MB native library), and the serving image, built from the sidecar
 * module's own dependencies, does not carry them.
 */
final class TrainerLauncher {
  static final String TRAINER_DIR = "lib/trainer";

  private TrainerLauncher() {}

  /**
   * Calls {@code entry}'s {@code static int run(String[], PrintStream, PrintStream)}; its progress
   * and messages go to this process's standard error.
   */
  static int run(String entry, List<String> args, Console console) throws Exception {
    Path dir = trainerDir();
    if (dir == null || !Files.isDirectory(dir)) {
      console
          .err()
          .println(
              "the trainer is not installed next to this jar ("
                  + TRAINER_DIR
                  + "/); build it with `mvn -B -ntp -DskipTests package` from the repository root");
      return ExitCodes.INTERNAL;
    }
    // libtorch comes from the jars in lib/trainer: never try to download it
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    console.err().flush();
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader =
        new URLClassLoader(jars(dir), TrainerLauncher.class.getClassLoader())) {
      // the core's method registry finds igbv2 through the context class loader
      Thread.currentThread().setContextClassLoader(loader);
      Method run =
          loader
              .loadClass(entry)
              .getMethod("run", String[].class, PrintStream.class, PrintStream.class);
      return (Integer) run.invoke(null, args.toArray(String[]::new), console.out(), System.err);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  /** {@code lib/trainer} beside the jar this class was loaded from; null when not run from a jar. */
  private static Path trainerDir() throws URISyntaxException {
    URL location = TrainerLauncher.class.getProtectionDomain().getCodeSource().getLocation();
    Path self = Path.of(location.toURI());
    return Files.isRegularFile(self) ? self.getParent().resolve(TRAINER_DIR) : null;
  }

  private static URL[] jars(Path dir) throws IOException {
    List<URL> urls = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
        try {
          urls.add(p.toUri().toURL());
        } catch (MalformedURLException e) {
          throw new IOException(p + ": " + e.getMessage(), e);
        }
      }
    }
    return urls.toArray(URL[]::new);
  }
}
