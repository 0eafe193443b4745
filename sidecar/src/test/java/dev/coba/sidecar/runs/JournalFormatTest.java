package dev.coba.sidecar.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.BalancerState;
import dev.coba.core.run.RankReport;
import dev.coba.core.run.RunSpec;
import dev.coba.core.run.RunState;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The journal's file format, pinned: the JSON of every kind of event, written from core's
 * records, as the golden lines below (the names and their order, how numbers and task names
 * beyond the Basic Multilingual Plane are written). A change anywhere that would change what
 * the journal writes (a field renamed or reordered in core or here, a Jackson setting) fails
 * here; a deliberate change of the format is a new {@link JournalHeader#VERSION}, its fixture
 * ({@link JournalFixturesTest}) and new golden lines. Each golden line also reads back to the
 * same event and, through it, to the same core records; every line of the committed fixtures
 * is written again as it was read.
 */
class JournalFormatTest {
  private static final String EMOJI = "\ud83d\ude00";
  private static final JournalCodec CODEC = new JournalCodec(Path.of("journal.log"));

  /** A map in the order given (the order its JSON is written in). */
  @SuppressWarnings("unchecked")
  private static <K, V> Map<K, V> map(Object... keysAndValues) {
    Map<K, V> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((K) keysAndValues[i], (V) keysAndValues[i + 1]);
    }
    return m;
  }

  static RunSpec spec() {
    return new RunSpec(
        "run-1",
        List.of("python", EMOJI),
        "coba",
        map("warmupSteps", 3L, "tau", 2.5),
        2,
        map("python", 2.0, EMOJI, 0.5));
  }

  static RankReport report() {
    return new RankReport(
        7,
        1,
        map("python", 0.1, EMOJI, 1.0E-12),
        map("python", 0.25),
        map(EMOJI, 3.0),
        map("python", 8.0),
        map("python", 0.75, EMOJI, 0.25));
  }

  static RunState state() {
    Map<String, Object> data =
        map(
            "step",
            4L,
            "losses",
            List.of(1.5, 0.5),
            "seen",
            true,
            "last",
            null,
            "per",
            map("python", List.of(1.0)));
    BalancerState base =
        new BalancerState(
            1,
            "coba",
            List.of("python", EMOJI),
            map("warmupSteps", 3L, "tau", 2.5),
            map("python", 2.0),
            data);
    return new RunState(
        RunState.CURRENT_VERSION,
        spec(),
        base,
        List.of(new RankReport(5, 0, map("python", 0.5, EMOJI, 0.75), null, null, null)));
  }

  private static final String SPEC =
      "{\"runId\":\"run-1\",\"tasks\":[\"python\",\""
          + EMOJI
          + "\"],\"method\":\"coba\","
          + "\"params\":{\"warmupSteps\":3,\"tau\":2.5},\"worldSize\":2,\"initialLosses\":{\"python\":2.0,\""
          + EMOJI
          + "\":0.5}}";

  /** Every kind of event, and its line as this format writes it (after the checksum). */
  private static final Map<Event, String> GOLDEN =
      map(
          Event.create(spec()), "{\"type\":\"create\",\"runId\":\"run-1\",\"spec\":" + SPEC + "}",
          Event.report("run-1", report()),
              "{\"type\":\"report\",\"runId\":\"run-1\",\"report\":{\"step\":7,\"rank\":1,"
                  + "\"valLosses\":{\"python\":0.1,\""
                  + EMOJI
                  + "\":1.0E-12},\"trainLosses\":{\"python\":0.25},"
                  + "\"gradNorms\":{\""
                  + EMOJI
                  + "\":3.0},\"counts\":{\"python\":8.0},"
                  + "\"weightsUsed\":{\"python\":0.75,\""
                  + EMOJI
                  + "\":0.25}}}",
          Event.rewind("run-1", 3), "{\"type\":\"rewind\",\"runId\":\"run-1\",\"step\":3}",
          Event.restore("run-1", state()),
              "{\"type\":\"restore\",\"runId\":\"run-1\",\"state\":{\"version\":1,"
                  + "\"run\":"
                  + SPEC
                  + ",\"base\":{\"version\":1,\"method\":\"coba\",\"tasks\":[\"python\",\""
                  + EMOJI
                  + "\"],"
                  + "\"params\":{\"warmupSteps\":3,\"tau\":2.5},\"initialLosses\":{\"python\":2.0},"
                  + "\"data\":{\"step\":4,\"losses\":[1.5,0.5],\"seen\":true,\"last\":null,\"per\":{\"python\":[1.0]}}},"
                  + "\"reports\":[{\"step\":5,\"rank\":0,\"valLosses\":{\"python\":0.5,\""
                  + EMOJI
                  + "\":0.75},"
                  + "\"trainLosses\":{},\"gradNorms\":{},\"counts\":{},\"weightsUsed\":{}}]}}",
          Event.delete("run-1"), "{\"type\":\"delete\",\"runId\":\"run-1\"}");

  /** The JSON of a line, after its checksum and without its newline. */
  private static String body(byte[] line) {
    String text = new String(line, StandardCharsets.UTF_8);
    assertEquals('\n', text.charAt(text.length() - 1), text);
    return text.substring(text.indexOf(' ') + 1, text.length() - 1);
  }

  private static Event read(byte[] line) {
    return CODEC.event(new LineReader.Line(0, line, 0, line.length - 1, true));
  }

  @Test
  void everyKindIsWrittenAsItsGoldenLine() {
    GOLDEN.forEach((event, golden) -> assertEquals(golden, body(CODEC.encode(event))));
  }

  @Test
  void everyGoldenLineReadsBackToTheSameEvent() {
    GOLDEN.forEach((event, golden) -> assertEquals(event, read(CODEC.encode(event)), golden));
  }

  /**
   * Every field of core's records comes back from the journal, whatever either side calls it: a
   * field added to core (and given a value above) but not to {@link JournalValues} fails here.
   */
  @Test
  void coresRecordsComeBackWhole() {
    assertEquals(spec(), ((Event.Create) read(CODEC.encode(Event.create(spec())))).spec().toCore());
    assertEquals(
        report(),
        ((Event.Report) read(CODEC.encode(Event.report("run-1", report())))).report().toCore());
    assertEquals(
        state(),
        ((Event.Restore) read(CODEC.encode(Event.restore("run-1", state())))).state().toCore());
  }

  /** A kind this build does not know is a newer format's, which its header refuses first: here, a bug. */
  @Test
  void aLineOfAnUnknownKindIsUnreadable() {
    byte[] line =
        "00000000 {\"type\":\"rename\",\"runId\":\"r\"}\n".getBytes(StandardCharsets.UTF_8);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(line, 9, line.length - 10);
    byte[] hex = String.format("%08x", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(hex, 0, line, 0, 8);
    StoreException e = assertThrows(StoreException.class, () -> read(line));
    assertTrue(
        e.getMessage().contains("unreadable line") && e.getMessage().contains("'rename'"),
        e.getMessage());
  }

  @Test
  void theGoldenLinesCoverEveryKind() {
    assertEquals(
        Set.of(Event.class.getPermittedSubclasses()),
        GOLDEN.keySet().stream().map(Object::getClass).collect(Collectors.toSet()));
  }

  /**
   * Nothing of core is written as it is: every type an event holds, down to the leaves, is the
   * journal's own or a JDK value (a rename in core fails to compile in {@link JournalValues}, not
   * silently here).
   */
  @Test
  void eventsHoldNoTypeOfCore() {
    Set<Class<?>> seen = new HashSet<>();
    for (Class<?> kind : Event.class.getPermittedSubclasses()) {
      visit(kind, seen);
    }
    for (Class<?> c : seen) {
      assertFalse(
          c.getName().startsWith("dev.coba.core."),
          () -> c + " is written to the journal as it is");
    }
    assertTrue(seen.contains(JournalValues.JournalBalancerState.class), seen.toString());
  }

  private static void visit(Type type, Set<Class<?>> seen) {
    if (type instanceof ParameterizedType p) {
      visit(p.getRawType(), seen);
      Arrays.stream(p.getActualTypeArguments()).forEach(t -> visit(t, seen));
    } else if (type instanceof Class<?> c && seen.add(c) && c.isRecord()) {
      Arrays.stream(c.getRecordComponents()).forEach(rc -> visit(rc.getGenericType(), seen));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"journal-v1", "journal-v2"})
  void everyLineOfTheFixturesIsWrittenAgainAsItWasRead(String fixture) throws IOException {
    ObjectMapper tree = new ObjectMapper();
    int events = 0;
    for (byte[] line : lines(fixture + "/journal.log")) {
      if (CODEC.header(new LineReader.Line(0, line, 0, line.length - 1, true)) != null) {
        continue;
      }
      String original = body(line);
      String again = body(CODEC.encode(read(line)));
      if (fixture.equals(
          "journal-v1")) { // written with escaped surrogate pairs, now as UTF-8: the same JSON
        assertEquals(tree.readTree(original), tree.readTree(again), original);
      } else {
        assertEquals(original, again);
      }
      events++;
    }
    assertEquals(fixture.equals("journal-v1") ? 48 : 22, events);
  }

  private static List<byte[]> lines(String resource) throws IOException {
    byte[] all;
    try (InputStream in = JournalFormatTest.class.getResourceAsStream(resource)) {
      all = in.readAllBytes();
    }
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        out.add(Arrays.copyOfRange(all, start, i + 1));
        start = i + 1;
      }
    }
    assertEquals(all.length, start, "the fixture ends with a complete line");
    return out;
  }
}
