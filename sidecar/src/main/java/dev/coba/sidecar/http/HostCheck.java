package dev.coba.sidecar.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Host} headers a server without a token answers. Without a token the only
 * protection is that nobody but this machine reaches the port; a web page on this machine's
 * browser can still reach it by DNS rebinding (its own name, re-pointed at 127.0.0.1), and
 * the browser then sends that name as the Host. So only names that cannot be re-pointed are
 * taken: {@code localhost} and {@code *.localhost} (browsers resolve them to loopback
 * themselves), IP literals of loopback, and the address bound; when the wildcard address is
 * bound, any IP literal (a literal is never resolved, so never rebound).
 */
final class HostCheck {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final Set<String> boundNames = new HashSet<>();
  private final boolean wildcard;

  /** The last Host allowed: clients send the same one on every request, so most checks end here. */
  private volatile String lastAllowed;

  HostCheck(String bind) {
    boundNames.add(bind.toLowerCase(Locale.ROOT));
    InetAddress bound = literal(bind);
    if (bound == null) {
      try {
        bound = InetAddress.getByName(bind); // once, at start: the server binds this name anyway
      } catch (UnknownHostException e) {
        bound = null;
      }
    }
    wildcard = bound != null && bound.isAnyLocalAddress();
    if (bound != null) {
      boundNames.add(bound.getHostAddress().toLowerCase(Locale.ROOT));
    }
  }

  /** Whether a request with this {@code Host} header (null: none, as HTTP/1.0 may send) is answered. */
  boolean allows(String hostHeader) {
    if (hostHeader == null || hostHeader.isEmpty() || hostHeader.equals(lastAllowed)) {
      return true; // no name was used, so none was rebound; or the one seen last
    }
    if (check(hostHeader)) {
      lastAllowed = hostHeader;
      return true;
    }
    return false;
  }

  private boolean check(String hostHeader) {
    String host = hostName(hostHeader.trim()).toLowerCase(Locale.ROOT);
    if (host.equals("localhost") || host.endsWith(".localhost") || boundNames.contains(host)) {
      return true;
    }
    InetAddress address = literal(host);
    if (address == null) {
      return false;
    }
    return address.isLoopbackAddress()
        || wildcard
        || boundNames.contains(address.getHostAddress().toLowerCase(Locale.ROOT));
  }

  /** The name of {@code host[:port]} or {@code [v6]:port}, without the port (and the brackets). */
  static String hostName(String hostPort) {
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      return end < 0 ? hostPort : hostPort.substring(1, end);
    }
    int colon = hostPort.lastIndexOf(':');
    return colon < 0 || hostPort.indexOf(':') != colon ? hostPort : hostPort.substring(0, colon);
  }

  /** The address {@code host} spells as an IP literal; null for a name (never looked up). */
  static InetAddress literal(String host) {
    boolean v6 = host.indexOf(':') >= 0;
    if (!v6 && !IPV4.matcher(host).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(
          v6 && !host.startsWith("[") ? "[" + host + "]" : host); // a literal: no lookup
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
