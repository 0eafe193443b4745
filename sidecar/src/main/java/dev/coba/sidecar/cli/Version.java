package dev.coba.sidecar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code --version}: the project version, written into a resource by the build. */
public final class Version implements CommandLine.IVersionProvider {
  private static final String RESOURCE = "/dev/coba/sidecar/version.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "coba-sidecar " + projectVersion(),
      "JVM: ${java.version} (${java.vendor} ${java.vm.name} ${java.vm.version})",
      "OS: ${os.name} ${os.version} ${os.arch}"
    };
  }

  /** The Maven project version, or "unknown" when the resource was not filtered (an IDE run). */
  public static String projectVersion() {
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
