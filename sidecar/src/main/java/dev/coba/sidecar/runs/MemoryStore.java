package dev.coba.sidecar.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A store that keeps events in memory: for tests and throwaway sidecars; nothing survives the process. */
public final class MemoryStore implements Store {
  private final List<Event> events = new ArrayList<>();
  private long count;

  @Override
  public synchronized void append(Event event) {
    events.add(event);
    count++;
  }

  @Override
  public synchronized void replay(Consumer<Event> sink) {
    List.copyOf(events).forEach(sink);
  }

  @Override
  public synchronized void rewrite(Iterable<Event> snapshot) {
    events.clear();
    snapshot.forEach(events::add);
    count = 0;
  }

  /** Counts events rather than bytes: nothing is serialised here. */
  @Override
  public synchronized long bytesSinceRewrite() {
    return count;
  }

  @Override
  public void close() {}
}
