package dev.coba.sidecar.replay;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import dev.coba.core.Update;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes one JSON line per {@link Update}: {@code step}, {@code weights} and {@code objective},
 * then the method's per-task diagnostics as objects keyed by task and its scalar diagnostics.
 * Doubles keep full round-trip precision; a value that is not available (NaN) is {@code null}.
 */
public final class UpdateWriter implements Closeable {
  private static final JsonFactory FACTORY =
      new JsonFactoryBuilder()
          .rootValueSeparator(
              (SerializableString) null) // each line ends with its own newline instead
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET) // closing the writer must not close stdout
          .build();

  private final JsonGenerator json;

  public UpdateWriter(OutputStream out) {
    try {
      json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void write(Update u) {
    try {
      List<String> tasks = u.weights().tasks();
      json.writeStartObject();
      json.writeNumberField("step", u.step());
      writeTasks("weights", tasks, u.weights().values());
      json.writeStringField("objective", u.objective().wireName());
      for (Map.Entry<String, double[]> e : u.taskDiagnostics().entrySet()) {
        writeTasks(e.getKey(), tasks, e.getValue());
      }
      for (Map.Entry<String, Double> e : u.diagnostics().entrySet()) {
        json.writeFieldName(e.getKey());
        writeValue(e.getValue());
      }
      json.writeEndObject();
      json.writeRaw('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeTasks(String name, List<String> tasks, double[] values) throws IOException {
    json.writeObjectFieldStart(name);
    for (int i = 0; i < tasks.size(); i++) {
      json.writeFieldName(tasks.get(i));
      writeValue(values[i]);
    }
    json.writeEndObject();
  }

  /** Non-finite values become null: NaN means "not available", and bare NaN is not JSON. */
  private void writeValue(double v) throws IOException {
    if (Double.isFinite(v)) {
      json.writeNumber(v);
    } else {
      json.writeNull();
    }
  }

  public void flush() {
    try {
      json.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      json.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
