package dev.coba.sidecar.http;

import java.io.IOException;
import java.net.BindException;

/** The server could not bind its address: the port is taken, or the address is not this host's. */
public final class CannotListenException extends RuntimeException {
  CannotListenException(String host, int port, IOException cause) {
    super("cannot listen on " + host + ":" + port + ": " + reason(cause), cause);
  }

  /** Jetty wraps the JDK's exception ("Failed to bind to ...") around the one that says why. */
  private static String reason(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          && t.getMessage() != null
          && t.getMessage().contains("in use")) {
        return "the port is in use (another sidecar or program listens there; pick another with --port)";
      }
    }
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return e.getMessage() + (root == e ? "" : " (" + root.getMessage() + ")");
  }
}
