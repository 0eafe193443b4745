package dev.coba.sidecar.runs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.coba.protocol.EscapedSurrogates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The journal's lines: {@code <crc32 of the JSON, 8 hex digits> <JSON>\n}. A line whose
 * checksum does not match is damaged (a torn write, a bad disk); one that matches but does not
 * read as an event is a bug, and says so.
 */
final class JournalCodec {
  /** The header's number is padded to this width, so that a rewrite can fill it in place. */
  private static final int NUMBER_WIDTH = 19;

  private final ObjectMapper json = Json.mapper();
  private final ObjectWriter eventWriter = json.writerFor(Event.class);
  private final Path file;

  JournalCodec(Path file) {
    this.file = file;
  }

  byte[] encode(Event event) {
    try {
      return frame(eventWriter.writeValueAsBytes(event));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an event could not be written as JSON", e);
    }
  }

  /** The header line; its length does not depend on {@code snapshotEnd}. */
  byte[] header(long snapshotEnd) {
    String number = Long.toString(snapshotEnd);
    String body =
        "{\"format\":\""
            + JournalHeader.FORMAT
            + "\",\"version\":"
            + JournalHeader.VERSION
            + ",\"snapshotEnd\":"
            + number
            + " ".repeat(NUMBER_WIDTH - number.length())
            + "}";
    return frame(body.getBytes(StandardCharsets.UTF_8));
  }

  /** The event of a complete line; null when its frame or checksum is damaged. */
  Event event(LineReader.Line line) {
    return read(line, Event.class);
  }

  /** The header of a complete line; null when the line is not a header (an event, or damaged). */
  JournalHeader header(LineReader.Line line) {
    JsonNode node = read(line, JsonNode.class);
    if (node == null || !node.has("format")) {
      return null;
    }
    return new JournalHeader(
        node.path("format").asText(),
        node.path("version").asInt(-1),
        node.path("snapshotEnd").asLong(0));
  }

  private <T> T read(LineReader.Line line, Class<T> type) {
    byte[] data = line.bytes();
    int start = line.off();
    int length = line.length();
    if (length < 10 || data[start + 8] != ' ') {
      return null;
    }
    int off = start + 9;
    int len = length - 9;
    long expected = 0;
    for (int i = start; i < start + 8; i++) {
      int digit = Character.digit(data[i], 16);
      if (digit < 0) {
        return null;
      }
      expected = expected << 4 | digit;
    }
    CRC32 crc = new CRC32();
    crc.update(data, off, len);
    if (crc.getValue() != expected) {
      return null;
    }
    try {
      String text =
          EscapedSurrogates.in(data, off, len) ? EscapedSurrogates.decode(data, off, len) : null;
      return text != null ? json.readValue(text, type) : json.readValue(data, off, len, type);
    } catch (IOException e) {
      throw new StoreException(
          "journal "
              + file
              + " has an unreadable line at byte "
              + line.offset()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static byte[] frame(byte[] body) {
    CRC32 crc = new CRC32();
    crc.update(body);
    byte[] line = new byte[CRC_DIGITS + 1 + body.length + 1];
    long value = crc.getValue();
    for (int i = CRC_DIGITS - 1;
        i >= 0;
        i--, value >>>= 4) { // "%08x", without a Formatter per line
      line[i] = HEX[(int) (value & 0xf)];
    }
    line[CRC_DIGITS] = ' ';
    System.arraycopy(body, 0, line, CRC_DIGITS + 1, body.length);
    line[line.length - 1] = '\n';
    return line;
  }

  private static final int CRC_DIGITS = 8;
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
}
