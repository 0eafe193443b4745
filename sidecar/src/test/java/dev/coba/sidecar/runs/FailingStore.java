package dev.coba.sidecar.runs;

import java.util.function.Consumer;

/** A memory store whose appends fail while {@link #failing} is set: a full disk, say. */
public final class FailingStore implements Store {
  private final MemoryStore inner = new MemoryStore();
  public volatile boolean failing;

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
  public void rewrite(Iterable<Event> events) {
    inner.rewrite(events);
  }

  @Override
  public String failure() {
    return failing ? "disk full (test)" : null;
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
