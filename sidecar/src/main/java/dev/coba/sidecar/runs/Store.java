package dev.coba.sidecar.runs;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where the runs' events live. The one seam for another backend (a PostgreSQL store shared
 * by replicas would implement these four calls).
 */
public interface Store extends AutoCloseable {

  /** Appends one event and returns once it is durable; throws {@link StoreException} if it is not. */
  void append(Event event);

  /** Hands every durable event to {@code sink}, oldest first. */
  void replay(Consumer<Event> sink);

  /** Replaces everything stored by {@code events} (a compaction snapshot), atomically and durably. */
  void rewrite(List<Event> events);

  /** Bytes written since the last rewrite, to decide when to compact. */
  long bytesSinceRewrite();

  @Override
  void close();
}
