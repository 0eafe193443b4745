package dev.coba.sidecar.replay;

import java.util.List;
import java.util.Map;

/**
 * A whole replay input, read and checked: the tasks in weight order, the step-0 losses and
 * the reports, with the lines where things came from.
 *
 * @param tasks the header's tasks, or every task in order of first appearance
 * @param initialLosses the header's step-0 losses (may be empty)
 * @param reports the reports in input order; steps strictly increase
 * @param headerLine the header's line number, 0 without a header
 * @param taskLines for each task, the line where it first appears (the header's for its tasks)
 */
public record ReplayLog(
    List<String> tasks,
    Map<String, Double> initialLosses,
    List<LineReport> reports,
    int headerLine,
    Map<String, Integer> taskLines) {

  public ReplayLog {
    tasks = List.copyOf(tasks);
    initialLosses = Map.copyOf(initialLosses);
    reports = List.copyOf(reports);
    taskLines = Map.copyOf(taskLines);
  }

  /**
   * The line to blame for an error the core raises while creating the balancer, from its
   * field ({@code tasks[3]}, {@code initialLosses.python}, {@code tasks}); 0 when no line is.
   */
  public int lineOf(String field) {
    if (field.startsWith("tasks[") && field.endsWith("]")) {
      try {
        int i = Integer.parseInt(field.substring("tasks[".length(), field.length() - 1));
        if (i >= 0 && i < tasks.size()) {
          return taskLines.getOrDefault(tasks.get(i), 0);
        }
      } catch (NumberFormatException e) {
        return headerLine;
      }
    }
    return field.startsWith("initialLosses") || field.equals("tasks") ? headerLine : 0;
  }
}
