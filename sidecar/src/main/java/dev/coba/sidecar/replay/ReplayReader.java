package dev.coba.sidecar.replay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.coba.core.Report;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a whole replay input (JSON Lines) and checks everything that does not depend on the
 * method, before any balancer runs: JSON syntax, known fields, number types, finite values
 * >= 0, integer steps that strictly increase, tasks known to the header. Reading it all first
 * is what lets tasks without a header take their order of first appearance in the whole input;
 * memory is O(input).
 *
 * <p>Format: an optional header line {@code {"tasks": [...], "initialLosses": {...}}} (either
 * key optional), then one report a line {@code {"step": 12, "valLosses": {...},
 * "trainLosses": {...}, "gradNorms": {...}}}. Blank lines are skipped but counted.
 */
public final class ReplayReader {
  static final List<String> HEADER_FIELDS = List.of("tasks", "initialLosses");
  static final List<String> REPORT_FIELDS =
      List.of("step", "valLosses", "trainLosses", "gradNorms");
  private static final List<String> TASK_MAPS = REPORT_FIELDS.subList(1, REPORT_FIELDS.size());

  private final Map<String, Integer> taskLines = new LinkedHashMap<>();
  private final List<LineReport> reports = new ArrayList<>();

  /** The header's tasks as written (duplicates kept: the core refuses them with their index). */
  private List<String> headerTaskList;

  private Set<String> headerTasks;
  private Map<String, Double> initialLosses = Map.of();
  private int headerLine;
  private boolean first = true;
  private long lastStep = -1;

  private ReplayReader() {}

  /** Reads to the end of {@code in}. @throws ReplayInputException for the first bad line */
  public static ReplayLog read(BufferedReader in) throws IOException {
    ReplayReader reader = new ReplayReader();
    int number = 0;
    for (String text; (text = in.readLine()) != null; ) {
      number++;
      if (number == 1 && text.startsWith("\uFEFF")) {
        text = text.substring(1); // a byte-order mark that some editors write
      }
      if (!text.isBlank()) {
        reader.accept(JsonLine.parse(number, text));
      }
    }
    return reader.finish(number);
  }

  private void accept(JsonLine line) {
    boolean isFirst = first;
    first = false;
    if (isFirst && !line.has("step")) {
      header(line);
    } else {
      report(line, isFirst);
    }
  }

  private void header(JsonLine line) {
    boolean any = false;
    for (Iterator<String> it = line.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!HEADER_FIELDS.contains(f)) {
        throw line.error(
            f,
            "unknown field '"
                + f
                + "': the first line is either a header with "
                + HEADER_FIELDS
                + " or a report with "
                + REPORT_FIELDS);
      }
      any = true;
    }
    if (!any) {
      throw line.error(
          null,
          "the first line is neither a header ("
              + HEADER_FIELDS
              + ") nor a report (it has no step)");
    }
    headerLine = line.line();
    if (line.has("tasks")) {
      headerTaskList = taskNames(line);
      headerTasks = new LinkedHashSet<>(headerTaskList);
      headerTaskList.forEach(t -> taskLines.putIfAbsent(t, line.line()));
    }
    initialLosses = line.taskValues("initialLosses");
    if (headerTasks == null) {
      initialLosses.keySet().forEach(t -> taskLines.putIfAbsent(t, line.line()));
    }
  }

  private static List<String> taskNames(JsonLine line) {
    JsonNode tasks = line.get("tasks");
    if (!tasks.isArray()) {
      throw line.error("tasks", "tasks must be an array of task names");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < tasks.size(); i++) {
      if (!tasks.get(i).isTextual()) {
        throw line.error("tasks[" + i + "]", "a task name must be a string, got " + tasks.get(i));
      }
      out.add(tasks.get(i).asText());
    }
    return out;
  }

  private void report(JsonLine line, boolean isFirst) {
    for (Iterator<String> it = line.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!REPORT_FIELDS.contains(f)) {
        throw line.error(
            f,
            HEADER_FIELDS.contains(f) && !isFirst
                ? "'" + f + "' belongs to the header, which is only allowed on the first line"
                : "unknown field '" + f + "': a report has " + REPORT_FIELDS);
      }
    }
    long step = line.step();
    if (step <= lastStep) {
      throw line.error(
          "step", "step " + step + " does not increase: the previous report was step " + lastStep);
    }
    lastStep = step;
    Map<String, Map<String, Double>> maps = new LinkedHashMap<>();
    for (String field : TASK_MAPS) {
      Map<String, Double> values = line.taskValues(field);
      for (String task : values.keySet()) {
        if (headerTasks != null && !headerTasks.contains(task)) {
          throw line.error(
              field + "." + task,
              "unknown task '" + task + "': the header's tasks are " + headerTasks);
        }
      }
      maps.put(field, values);
    }
    // tasks appear in the order the line writes them, whichever map names them first
    for (Iterator<String> it = line.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (maps.containsKey(f)) {
        maps.get(f).keySet().forEach(t -> taskLines.putIfAbsent(t, line.line()));
      }
    }
    reports.add(
        new LineReport(
            line.line(),
            new Report(
                step, maps.get("valLosses"), maps.get("trainLosses"), maps.get("gradNorms"))));
  }

  private ReplayLog finish(int lines) {
    if (reports.isEmpty()) {
      throw new ReplayInputException(
          Math.max(lines, 1),
          null,
          "the input holds no report: expected one JSON report a line, "
              + "e.g. {\"step\": 1, \"valLosses\": {\"python\": 1.93}}");
    }
    List<String> tasks = headerTaskList != null ? headerTaskList : List.copyOf(taskLines.keySet());
    return new ReplayLog(tasks, initialLosses, reports, headerLine, taskLines);
  }
}
