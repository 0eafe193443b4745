package dev.coba.trainer.data;

import java.util.List;
import java.util.Objects;

/** One task's examples, split into train, validation and test. */
public record TaskData(String name, List<Example> train, List<Example> valid, List<Example> test) {
  public TaskData {
    Objects.requireNonNull(name, "name");
    train = List.copyOf(train);
    valid = List.copyOf(valid);
    test = List.copyOf(test);
  }

  public int size() {
    return train.size() + valid.size() + test.size();
  }
}
