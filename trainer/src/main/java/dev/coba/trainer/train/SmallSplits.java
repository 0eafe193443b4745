package dev.coba.trainer.train;

import dev.coba.trainer.data.TaskData;
import java.util.ArrayList;
import java.util.List;

/**
 * What a split smaller than its draw means for a run, said once before training: a train split
 * smaller than {@code --batch-per-task} gives every example once a batch and draws the rest again
 * ({@link dev.coba.trainer.data.Batches#trainBatch}); a validation split smaller than
 * {@code --val-batch-per-task} is the balancer's whole mini-batch. Test splits are always used
 * whole, so any size is fine there.
 */
final class SmallSplits {
  private SmallSplits() {}

  static List<String> describe(List<TaskData> tasks, TrainSettings settings) {
    List<String> notes = new ArrayList<>();
    for (TaskData task : tasks) {
      int train = task.train().size();
      if (train < settings.batchPerTask()) {
        notes.add(
            "task \""
                + task.name()
                + "\": "
                + examples(train, "training")
                + ", fewer than "
                + "--batch-per-task "
                + settings.batchPerTask()
                + ": each batch has all "
                + train
                + " and "
                + (settings.batchPerTask() - train)
                + " more drawn again at random");
      }
      int valid = task.valid().size();
      if (valid < settings.valBatchPerTask()) {
        notes.add(
            "task \""
                + task.name()
                + "\": "
                + examples(valid, "validation")
                + ", fewer than "
                + "--val-batch-per-task "
                + settings.valBatchPerTask()
                + ": the balancer's validation "
                + "mini-batch is all "
                + valid);
      }
    }
    return notes;
  }

  private static String examples(int n, String kind) {
    return n + " " + kind + (n == 1 ? " example" : " examples");
  }
}
