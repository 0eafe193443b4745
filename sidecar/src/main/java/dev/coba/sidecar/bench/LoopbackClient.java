package dev.coba.sidecar.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately small HTTP/1.1 client for load generation: one keep-alive connection, one
 * request at a time, no TLS, no redirects. A full client (java.net.http) spends more CPU per
 * request than the server under test, which on a 2-core machine would measure the client.
 */
public final class LoopbackClient implements AutoCloseable {
  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final String hostHeader;
  private final String authorization;

  public LoopbackClient(URI base, String token) throws IOException {
    socket = new Socket(base.getHost(), base.getPort());
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    hostHeader = base.getHost() + ":" + base.getPort();
    authorization = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
  }

  /** Sends one request and reads the whole answer; returns the status code. */
  public int send(String method, String path, byte[] body) throws IOException {
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: "
            + hostHeader
            + "\r\n"
            + authorization
            + (body == null
                ? ""
                : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
            + "\r\n";
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return readResponse();
  }

  private int readResponse() throws IOException {
    String status = line();
    int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(h.substring(15).trim());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (long size = Long.parseLong(line().trim(), 16);
          size > 0;
          size = Long.parseLong(line().trim(), 16)) {
        skip(size);
        line();
      }
      line();
    } else if (length > 0) {
      skip(length);
    }
    return code;
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      long k = in.skip(n);
      if (k <= 0) {
        if (in.read() < 0) {
          throw new IOException("connection closed");
        }
        k = 1;
      }
      n -= k;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
