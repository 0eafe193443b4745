package dev.coba.sidecar.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a plain socket, for what {@link java.net.http.HttpClient} will
 * not send (Upgrade and Connection headers, a body that stalls half-way, a Host of our choosing).
 */
final class RawHttp implements AutoCloseable {
  /** An answer: the status, the headers (names in lower case), the body. */
  record Answer(int status, Map<String, String> headers, String body) {}

  final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  static RawHttp connect(int port) {
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(30_000);
      return new RawHttp(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code text} as is (CR LF line ends are the caller's). */
  RawHttp send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A request head with {@code headers} (each "Name: value"), and the body when not null;
   * {@code Host: 127.0.0.1} unless the headers name a Host.
   */
  static String request(String method, String path, String body, String... headers) {
    boolean host =
        java.util.Arrays.stream(headers).anyMatch(h -> h.regionMatches(true, 0, "Host:", 0, 5));
    StringBuilder b =
        new StringBuilder(
            method + " " + path + " HTTP/1.1\r\n" + (host ? "" : "Host: 127.0.0.1\r\n"));
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    if (body != null) {
      b.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length)
          .append("\r\n");
    }
    return b.append("\r\n").append(body == null ? "" : body).toString();
  }

  /** Reads one answer, waiting at most {@code timeoutMs}. */
  Answer read(int timeoutMs) {
    try {
      socket.setSoTimeout(timeoutMs);
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      if (statusLine == null) {
        throw new IOException("the connection closed before an answer");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      byte[] body;
      if (headers.containsKey("content-length")) {
        body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line(in).trim(), 16);
            size > 0;
            size = Integer.parseInt(line(in).trim(), 16)) {
          out.write(in.readNBytes(size));
          line(in);
        }
        line(in);
        body = out.toByteArray();
      } else {
        body = new byte[0];
      }
      return new Answer(
          Integer.parseInt(statusLine.split(" ")[1]),
          headers,
          new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The answer as the contract checks see it, for the request that got it. */
  static Response asResponse(String method, String path, Answer a) {
    java.util.Map<String, java.util.List<String>> headers = new java.util.LinkedHashMap<>();
    a.headers().forEach((name, value) -> headers.put(name, java.util.List.of(value)));
    return new Response(
        method, path, a.status(), a.body(), java.net.http.HttpHeaders.of(headers, (x, y) -> true));
  }

  /** Whether the server closed the connection within {@code timeoutMs} (reading nothing more). */
  boolean closedWithin(int timeoutMs) {
    try {
      socket.setSoTimeout(timeoutMs);
      return socket.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) { // reset: closed too
      return true;
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a test socket: nothing to do
    }
  }
}
