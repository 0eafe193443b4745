package dev.coba.sidecar.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.sidecar.CliRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed input or parameter: exit 2, one message naming the line (where one is to blame) and the field. */
class ReplayMalformedInputTest {
  private static final String OK1 = "{\"step\": 1, \"valLosses\": {\"a\": 2.0, \"b\": 3.0}}\n";
  private static final String OK2 = "{\"step\": 2, \"valLosses\": {\"a\": 1.9, \"b\": 2.9}}\n";

  /**
   * @param line the expected "line N: field:" prefix, or null when no line is to blame
   * @param field the field the message must name
   * @param detail a fragment of the explanation
   */
  record Case(
      String name, String input, List<String> extraArgs, String line, String field, String detail) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case line(String name, String input, String line, String field, String detail) {
    return new Case(name, input, List.of(), line, field, detail);
  }

  private static Case option(String name, String args, String field, String detail) {
    return new Case(name, OK1, Arrays.asList(args.split(" ")), null, field, detail);
  }

  static Stream<Case> cases() {
    return Stream.of(
        line(
            "bad JSON",
            OK1 + "{\"step\": 2, \"valLosses\": {\"a\": 1.0,}}\n",
            "line 2",
            "valLosses.a",
            "invalid JSON"),
        line(
            "unterminated line",
            OK1 + "{\"step\": 2, \"valLosses\": {\"a\": 1.0}\n",
            "line 2",
            "valLosses",
            "end-of-input"),
        line(
            "NaN literal",
            OK1 + "{\"step\": 2, \"valLosses\": {\"a\": NaN}}\n",
            "line 2",
            "valLosses.a",
            "NaN and Infinity are not JSON numbers"),
        line(
            "Infinity literal",
            OK1 + "{\"step\": 2, \"valLosses\": {\"b\": -Infinity}}\n",
            "line 2",
            "valLosses.b",
            "not JSON numbers"),
        line(
            "\"Infinity\" string",
            OK1 + "{\"step\": 2, \"valLosses\": {\"a\": \"Infinity\"}}\n",
            "line 2",
            "valLosses.a",
            "must be a number, got the string \"Infinity\""),
        line(
            "string loss",
            OK1 + "{\"step\": 2, \"valLosses\": {\"a\": 1.0}, \"trainLosses\": {\"a\": \"1.5\"}}\n",
            "line 2",
            "trainLosses.a",
            "must be a number"),
        line(
            "null loss",
            "{\"step\": 1, \"valLosses\": {\"a\": null}}\n",
            "line 1",
            "valLosses.a",
            "must be a number, got null"),
        line(
            "number too large",
            "{\"step\": 1, \"valLosses\": {\"a\": 1e400}}\n",
            "line 1",
            "valLosses.a",
            "too large"),
        line(
            "negative loss",
            OK1 + OK2 + "{\"step\": 3, \"valLosses\": {\"b\": -0.5}}\n",
            "line 3",
            "valLosses.b",
            "must be >= 0"),
        line(
            "negative gradient norm",
            "{\"step\": 1, \"valLosses\": {\"a\": 1}, \"gradNorms\": {\"a\": -1}}\n",
            "line 1",
            "gradNorms.a",
            ">= 0"),
        line(
            "step does not increase",
            OK1 + OK2 + "{\"step\": 2, \"valLosses\": {\"a\": 1.0}}\n",
            "line 3",
            "step",
            "does not increase"),
        line(
            "missing step",
            OK1 + "{\"valLosses\": {\"a\": 1.0}}\n",
            "line 2",
            "step",
            "missing step"),
        line(
            "fractional step",
            OK1 + "{\"step\": 2.5, \"valLosses\": {\"a\": 1.0}}\n",
            "line 2",
            "step",
            "must be an integer, got 2.5"),
        line(
            "string step",
            "{\"step\": \"1\", \"valLosses\": {\"a\": 1.0}}\n",
            "line 1",
            "step",
            "must be an integer"),
        line(
            "negative step",
            "{\"step\": -1, \"valLosses\": {\"a\": 1.0}}\n",
            "line 1",
            "step",
            ">= 0"),
        line(
            "unknown task vs header",
            "{\"tasks\": [\"a\", \"b\"]}\n" + OK1 + "{\"step\": 2, \"valLosses\": {\"c\": 1.0}}\n",
            "line 3",
            "valLosses.c",
            "unknown task 'c'"),
        line(
            "empty valLosses",
            OK1 + "{\"step\": 2, \"valLosses\": {}}\n",
            "line 2",
            "valLosses",
            "names no task"),
        line(
            "unknown top-level field",
            OK1 + "{\"step\": 2, \"valLoss\": {\"a\": 1.0}}\n",
            "line 2",
            "valLoss",
            "unknown field"),
        line(
            "duplicate key",
            "{\"step\": 1, \"step\": 2, \"valLosses\": {\"a\": 1.0}}\n",
            "line 1",
            "step",
            "Duplicate field"),
        line(
            "two objects on a line",
            OK1.strip() + " " + OK2,
            "line 1",
            "",
            "after the JSON object"),
        line("not an object", OK1 + "[1, 2]\n", "line 2", "", "one JSON object"),
        line(
            "header on a later line",
            OK1 + "{\"tasks\": [\"a\", \"b\"]}\n",
            "line 2",
            "tasks",
            "only allowed on the first line"),
        line(
            "first line neither header nor report",
            "{\"task\": [\"a\"]}\n" + OK1,
            "line 1",
            "task",
            "unknown field"),
        line(
            "duplicate task in header",
            "{\"tasks\": [\"a\", \"a\"]}\n{\"step\": 1, \"valLosses\": {\"a\": 1}}\n",
            "line 1",
            "tasks[1]",
            "duplicate task"),
        line(
            "initial loss of 0",
            "{\"initialLosses\": {\"a\": 0}}\n" + OK1,
            "line 1",
            "initialLosses.a",
            "> 0"),
        line(
            "step 0 after initial losses",
            "{\"initialLosses\": {\"a\": 2}}\n{\"step\": 0, \"valLosses\": {\"a\": 1.0}}\n",
            "line 2",
            "step",
            "reports start at step 1"),
        line(
            "blank lines are counted",
            OK1 + "\n\n{\"step\": 2, \"valLosses\": {\"a\": \"x\"}}\n",
            "line 4",
            "valLosses.a",
            "must be a number"),
        line("no report at all", "{\"tasks\": [\"a\"]}\n", "line 1", "", "holds no report"),
        new Case(
            "gradnorm without gradNorms",
            OK1,
            List.of("--method", "gradnorm"),
            "line 1",
            "gradNorms",
            "needs gradNorms"),
        option("unknown param", "--param foo=1", "params.foo", "unknown parameter 'foo'"),
        option("param without =", "--param tau", "--param", "key=value"),
        option("param given twice", "--tau 1 --param tau=2", "params.tau", "given twice"),
        option("tau not a number", "--tau abc", "params.tau", "must be a number"),
        option("negative tau", "--tau -1", "params.tau", "must be in"),
        option("history 1", "--history 1", "params.historyLength", "must be in [2,"),
        option(
            "unknown variant",
            "--variant fast",
            "params.variant",
            "must be one of [paper, mftcoder]"),
        new Case(
            "--warmup on uniform",
            OK1,
            List.of("--method", "uniform", "--warmup", "3"),
            null,
            "--warmup",
            "which method uniform does not have"),
        new Case(
            "unknown method",
            OK1,
            List.of("--method", "cobra"),
            null,
            "method",
            "unknown method 'cobra'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsTwoNamingLineAndField(Case c) {
    List<String> args = new ArrayList<>(List.of("replay"));
    if (!c.extraArgs().contains("--method")) {
      args.addAll(List.of("--method", "coba"));
    }
    args.addAll(c.extraArgs());
    CliRun r = CliRun.run(c.input(), args.toArray(String[]::new));
    assertEquals(2, r.code(), r::toString);
    String err = r.err();
    assertEquals(1, err.lines().count(), "one message: " + err);
    assertTrue(err.startsWith("coba-sidecar replay: "), err);
    String expected =
        c.line() == null
            ? c.field() + ": "
            : c.line() + ": " + (c.field().isEmpty() ? "" : c.field() + ": ");
    assertTrue(err.contains(expected), "expected '" + expected + "' in: " + err);
    assertTrue(err.contains(c.detail()), "expected '" + c.detail() + "' in: " + err);
    if (c.line() == null) {
      assertFalse(err.contains("line "), err);
    }
  }
}
