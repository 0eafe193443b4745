package dev.coba.sidecar.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A size given on the command line: bytes, or a number with KiB, MiB, GiB (K, M, G, KB, MB, GB: the same, powers of 1,024). */
final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d{1,15})\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");

  private ByteSize() {}

  /** The bytes {@code text} says; null when it is not a size. */
  static Long parse(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2)) {
          case "k", "kb", "kib" -> 10;
          case "m", "mb", "mib" -> 20;
          case "g", "gb", "gib" -> 30;
          default -> 0;
        };
    return n > (Long.MAX_VALUE >> shift) ? null : n << shift;
  }
}
