package dev.coba.core.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A restored method state is refused, naming the entry, when the method could not use it
 * (issue 11, item 8: a reference loss of 0 made the next weights NaN). Each row takes a real
 * exported state, breaks one entry as JSON would carry it, and expects the refusal.
 */
class RestoredStateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TASKS = List.of("a", "b");

  /** One broken state: the method, its params, what to break, the field the refusal names. */
  record Case(
      String name,
      String method,
      Map<String, Object> params,
      Consumer<ObjectNode> breakIt,
      String field) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Case c(String name, String method, Consumer<ObjectNode> breakIt, String field) {
    return new Case(name, method, Map.of(), breakIt, field);
  }

  static Consumer<ObjectNode> set(String key, int index, JsonNode value) {
    return data -> ((ArrayNode) data.get(key)).set(index, value);
  }

  static Consumer<ObjectNode> set(String key, int index, double value) {
    return set(key, index, JSON.getNodeFactory().numberNode(value));
  }

  static Consumer<ObjectNode> setNull(String key, int index) {
    return set(key, index, JSON.getNodeFactory().nullNode());
  }

  static Stream<Case> cases() {
    Map<String, Object> mftcoder = Map.of("variant", "mftcoder");
    return Stream.of(
        // the envelope, for every method
        c("a NaN weight", "coba", setNull("weights", 1), "state.data.weights[1]"),
        c("a zero weight", "uniform", set("weights", 0, 0.0), "state.data.weights[0]"),
        c("weights that do not sum to 1", "lbtw", set("weights", 0, 0.9), "state.data.weights"),
        c("a fractional lastStep", "dwa", d -> d.put("lastStep", 2.5), "state.data.lastStep"),
        c("a step without hasStep", "dwa", d -> d.put("hasStep", false), "state.data.lastStep"),
        c(
            "an entry the method does not have",
            "coba",
            d -> d.put("temperature", 3),
            "state.data.temperature"),
        // the reference losses (coba, mftcoder, lbtw, gradnorm)
        c(
            "coba: a reference loss of 0",
            "coba",
            set("reference", 0, 0.0),
            "state.data.reference[0]"),
        c(
            "coba: a negative reference loss",
            "coba",
            set("reference", 1, -2.0),
            "state.data.reference[1]"),
        new Case(
            "mftcoder: a reference loss of 0",
            "coba",
            mftcoder,
            set("reference", 0, 0.0),
            "state.data.reference[0]"),
        c(
            "lbtw: a reference loss of 0",
            "lbtw",
            set("reference", 0, 0.0),
            "state.data.reference[0]"),
        c("lbtw: a negative ratio", "lbtw", set("ratios", 0, -1.0), "state.data.ratios[0]"),
        c(
            "gradnorm: a reference loss of 0",
            "gradnorm",
            set("reference", 1, 0.0),
            "state.data.reference[1]"),
        c("gradnorm: a negative ratio", "gradnorm", set("ratios", 1, -1.0), "state.data.ratios[1]"),
        // coba's fits and histories
        c(
            "coba: a null ratio in a window",
            "coba",
            d -> ((ArrayNode) d.get("windowRatios").get(0)).setNull(0),
            "state.data.windowRatios[0][0]"),
        c(
            "coba: a null slope",
            "coba",
            d -> ((ArrayNode) d.get("slopeHistory").get(1)).setNull(0),
            "state.data.slopeHistory[1][0]"),
        c(
            "coba: a null maximum slope",
            "coba",
            setNull("amaxHistory", 0),
            "state.data.amaxHistory[0]"),
        // the other methods
        c("dwa: a last loss of 0", "dwa", set("last", 0, 0.0), "state.data.last[0]"),
        c("dwa: a negative loss before", "dwa", set("before", 1, -1.0), "state.data.before[1]"),
        c("famo: a negative second moment", "famo", set("adamV", 0, -1.0), "state.data.adamV[0]"),
        c("famo: a null logit", "famo", setNull("logits", 1), "state.data.logits[1]"),
        c("famo: negative Adam steps", "famo", d -> d.put("adamSteps", -1), "state.data.adamSteps"),
        c("famo: a partial previous report", "famo", setNull("prev", 1), "state.data.prev"),
        c("igbv1: negative losses seen", "igbv1", set("seen", 0, -1), "state.data.seen[0]"),
        c("igbv1: a negative base sum", "igbv1", set("baseSum", 1, -1.0), "state.data.baseSum[1]"),
        c("igbv1: a current loss of 0", "igbv1", set("current", 0, 0.0), "state.data.current[0]"),
        c(
            "uncertainty: a negative loss",
            "uncertainty",
            set("losses", 0, -1.0),
            "state.data.losses[0]"));
  }

  /** A state after 30 reports carrying every input any method reads. */
  static ObjectNode exported(String method, Map<String, Object> params) {
    Balancer b = Methods.create(method, TASKS, params, Map.of());
    for (int s = 1; s <= 30; s++) {
      b.update(
          new Report(
              s,
              Map.of("a", 2.0 / s + 0.1, "b", 3.0 / Math.sqrt(s)),
              Map.of("a", 2.1 / s, "b", 2.9 / s),
              Map.of("a", 1.0 + 0.01 * s, "b", 0.5)));
    }
    return JSON.valueToTree(b.exportState());
  }

  static BalancerState read(JsonNode state) throws Exception {
    return JSON.treeToValue(state, BalancerState.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedNamingTheEntry(Case c) throws Exception {
    ObjectNode state = exported(c.method(), c.params());
    Methods.restore(read(state)); // the state as exported restores
    c.breakIt().accept((ObjectNode) state.get("data"));
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> Methods.restore(read(state)));
    assertEquals(c.field(), e.field(), e.getMessage());
    assertTrue(e.getMessage().length() > 10, e.getMessage());
  }
}
