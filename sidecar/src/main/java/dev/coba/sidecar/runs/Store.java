package dev.coba.sidecar.runs;

import java.util.function.Consumer;

/**
 * Where the runs' events live. The one seam for another backend (a PostgreSQL store shared
 * by replicas would implement these calls).
 */
public interface Store extends AutoCloseable {

  /** Appends one event and returns once it is durable; throws {@link StoreException} if it is not. */
  void append(Event event);

  /** Hands every durable event to {@code sink}, oldest first. */
  void replay(Consumer<Event> sink);

  /**
   * Replaces everything stored by {@code events} (a compaction snapshot, iterated once),
   * atomically and durably.
   */
  void rewrite(Iterable<Event> events);

  /** Bytes stored since the last rewrite (across restarts where the store can tell), to decide when to compact. */
  long bytesSinceRewrite();

  /** Why the store takes no writes now (a full disk, say); null while it does. */
  default String failure() {
    return null;
  }

  @Override
  void close();
}
