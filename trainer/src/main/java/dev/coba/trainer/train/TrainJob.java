package dev.coba.trainer.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.coba.trainer.data.BuiltInTasks;
import dev.coba.trainer.data.DatasetLoader;
import dev.coba.trainer.data.LoadOptions;
import dev.coba.trainer.data.TaskData;
import dev.coba.trainer.report.ReportWriter;
import dev.coba.trainer.results.MethodResult;
import dev.coba.trainer.results.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A whole {@code train} run in an output directory: the data, then each method in turn on the
 * same data and seed (a method's model, checkpoints and result in {@code out/<method>/}), then
 * {@code results.json} and {@code report.html}. Run again on the same directory it resumes:
 * finished methods are read back, an interrupted one continues from its last checkpoint. It
 * refuses a directory that holds a run with other settings. A {@code --sidecar} that does not
 * answer is refused before anything is written or trained ({@link SidecarCheck}).
 */
public final class TrainJob {
  static final String SETTINGS_FILE = "settings.json";

  /** How settings.json is written; its text is pinned by TrainSettingsTest. */
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final TrainSettings settings;
  private final Path out;
  private final Function<List<String>, StepListener> listeners;
  private final Consumer<String> notes;

  /**
   * @param listeners given the task names, the listener of every method's loop
   * @param notes told once what the user should know about the data (examples cut, small splits)
   */
  public TrainJob(
      TrainSettings settings,
      Path out,
      Function<List<String>, StepListener> listeners,
      Consumer<String> notes) {
    this.settings = settings;
    this.out = out;
    this.listeners = listeners;
    this.notes = notes;
  }

  /**
   * The tasks of {@code settings}: the data folder, or the built-in tasks generated from the seed;
   * {@code notes} is told about examples cut to --max-tokens and splits smaller than a draw.
   */
  public static List<TaskData> tasks(TrainSettings settings, Consumer<String> notes) {
    List<TaskData> tasks;
    if (settings.data() == null) {
      tasks = BuiltInTasks.generate(settings.seed());
    } else {
      LoadOptions options =
          LoadOptions.defaults().withSeed(settings.seed()).withMaxLength(settings.maxTokens());
      tasks = DatasetLoader.load(settings.data(), options, notes);
    }
    SmallSplits.describe(tasks, settings).forEach(notes);
    return tasks;
  }

  public Results run() throws IOException {
    List<TaskData> tasks = tasks(settings, notes);
    List<String> names = tasks.stream().map(TaskData::name).toList();
    if (settings.sidecar() != null) {
      SidecarCheck.require(settings.sidecar(), settings.token(), settings.methods());
    }
    Files.createDirectories(out);
    claim(settings.describe());
    StepListener listener = listeners.apply(names);
    Balancing balancing = Balancing.of(settings);
    Map<String, MethodResult> methods = new LinkedHashMap<>();
    Results results = new Results(settings.describe(), names, methods);
    for (String method : settings.methods()) {
      Path dir = out.resolve(method);
      MethodResult result =
          method.equals(StlRun.METHOD)
              ? new StlRun(tasks, settings, dir, listener).run()
              : new MethodRun(method, tasks, settings, balancing, dir, listener).run();
      methods.put(method, result);
      results = new Results(settings.describe(), names, methods);
      results.write(out.resolve(Results.FILE)); // what is done is kept if a later method fails
    }
    ReportWriter.Written report = ReportWriter.write(results, out);
    if (report.chartsMissing() != null) {
      notes.accept(
          report.html()
              + " has no charts: this machine could not draw them ("
              + report.chartsMissing()
              + "); every number is there and in "
              + Results.FILE);
    }
    return results;
  }

  /** Records the settings in a new directory; in a used one, they must be the same. */
  private void claim(Map<String, Object> described) throws IOException {
    Path file = out.resolve(SETTINGS_FILE);
    String mine = JSON.writeValueAsString(described);
    if (Files.exists(file)) {
      String theirs = Files.readString(file);
      if (!JSON.readTree(theirs).equals(JSON.readTree(mine))) {
        throw new IllegalArgumentException(
            "--out "
                + out
                + " holds a run with other settings ("
                + file
                + "); give another --out, or the same flags to resume it");
      }
      return;
    }
    Files.writeString(file, mine);
  }
}
