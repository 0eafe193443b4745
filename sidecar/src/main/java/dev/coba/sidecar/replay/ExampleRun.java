package dev.coba.sidecar.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The bundled example run ({@value #RESOURCE}): five tasks, validation losses reported after
 * each of 400 steps, as one validation mini-batch per step gives them (about 1.5 % noise).
 * {@code cpp} starts overfitting at step 220, {@code sql} is a small task that converges by
 * about step 100, the others converge at different speeds. Deterministic: {@link Random} with a
 * fixed seed and {@link StrictMath} give the same file on every JVM, and a test checks that
 * the bundled file is exactly what this class writes. Regenerate it with
 * {@code java -cp sidecar/target/classes:<deps> dev.coba.sidecar.replay.ExampleRun sidecar/src/main/resources/examples/five-tasks.jsonl}.
 */
public final class ExampleRun {
  public static final String RESOURCE = "/examples/five-tasks.jsonl";
  public static final long SEED = 20240917L;
  public static final int STEPS = 400;
  private static final double NOISE = 0.015;

  /** One task's validation-loss curve: exponential decay to a floor, optionally rising after {@code overfitFrom}. */
  private record Curve(
      String task,
      double initial,
      double floor,
      double timeConstant,
      int overfitFrom,
      double overfitRate) {
    double at(int step) {
      double loss = floor + (initial - floor) * StrictMath.exp(-step / timeConstant);
      return step > overfitFrom ? loss + overfitRate * (step - overfitFrom) : loss;
    }
  }

  private static final List<Curve> CURVES =
      List.of(
          new Curve("python", 2.10, 0.95, 120, Integer.MAX_VALUE, 0),
          new Curve("java", 2.30, 1.05, 150, Integer.MAX_VALUE, 0),
          new Curve("cpp", 2.50, 1.20, 90, 220, 0.0020),
          new Curve("sql", 1.90, 0.60, 25, Integer.MAX_VALUE, 0),
          new Curve("go", 2.40, 1.10, 200, Integer.MAX_VALUE, 0));

  private ExampleRun() {}

  /** The example's lines: the header, then one report per step 1..{@value #STEPS}. */
  public static List<String> lines() {
    ObjectMapper json = new ObjectMapper();
    Random noise = new Random(SEED);
    List<String> out = new ArrayList<>();
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("tasks", CURVES.stream().map(Curve::task).toList());
    Map<String, Double> initial = new LinkedHashMap<>();
    CURVES.forEach(c -> initial.put(c.task(), c.initial())); // a full validation pass: no noise
    header.put("initialLosses", initial);
    out.add(write(json, header));
    for (int step = 1; step <= STEPS; step++) {
      Map<String, Double> losses = new LinkedHashMap<>();
      for (Curve c : CURVES) {
        losses.put(c.task(), round(c.at(step) * (1 + NOISE * noise.nextGaussian())));
      }
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("step", step);
      report.put("valLosses", losses);
      out.add(write(json, report));
    }
    return out;
  }

  /** The bundled copy, as the jar carries it. */
  public static InputStream open() {
    InputStream in = ExampleRun.class.getResourceAsStream(RESOURCE);
    if (in == null) {
      throw new IllegalStateException(
          "the example " + RESOURCE + " is missing from the class path");
    }
    return in;
  }

  /** Writes the example to the file named by the first argument, or to standard output. */
  public static void main(String[] args) throws Exception {
    String text = String.join("\n", lines()) + "\n";
    if (args.length > 0) {
      Files.writeString(Path.of(args[0]), text, StandardCharsets.UTF_8);
    } else {
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      out.print(text);
    }
  }

  /** Four decimals, as loggers usually print losses; keeps the file short and readable. */
  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  private static String write(ObjectMapper json, Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
