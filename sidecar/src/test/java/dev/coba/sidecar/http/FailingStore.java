package dev.coba.sidecar.http;

import dev.coba.sidecar.runs.Event;
import dev.coba.sidecar.runs.MemoryStore;
import dev.coba.sidecar.runs.Store;
import dev.coba.sidecar.runs.StoreException;
import java.util.List;
import java.util.function.Consumer;

/** A memory store whose appends fail while {@link #failing} is set: a full disk, say. */
final class FailingStore implements Store {
  private final MemoryStore inner = new MemoryStore();
  volatile boolean failing;

  @Override
  public void append(Event event) {
    if (failing) {
      throw new StoreException("disk full (test)");
    }
    inner.append(event);
  }

  @Override
  public void replay(Consumer<Event> sink) {
    inner.replay(sink);
  }

  @Override
  public void rewrite(List<Event> events) {
    inner.rewrite(events);
  }

  @Override
  public long bytesSinceRewrite() {
    return inner.bytesSinceRewrite();
  }

  @Override
  public void close() {
    inner.close();
  }
}
