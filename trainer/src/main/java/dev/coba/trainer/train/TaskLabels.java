package dev.coba.trainer.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Short task names for a progress line: each name's shortest start of at least 4 characters that
 * no other name starts with (the whole name when there is none). Why: cut to a fixed width,
 * {@code code_java} and {@code code_python} would both read {@code code}, as if one task.
 */
final class TaskLabels {
  static final int MIN = 4;

  private TaskLabels() {}

  static List<String> of(List<String> names) {
    List<String> labels = new ArrayList<>();
    for (String name : names) {
      String label = name;
      for (int n = Math.min(MIN, name.length()); n < name.length(); n++) {
        String prefix = name.substring(0, n);
        if (names.stream().filter(other -> other.startsWith(prefix)).count() == 1) {
          label = prefix;
          break;
        }
      }
      labels.add(label);
    }
    return labels;
  }
}
