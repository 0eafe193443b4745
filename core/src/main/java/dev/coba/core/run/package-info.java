/**
 * A run around one balancer: {@link dev.coba.core.run.Run} gathers the ranks'
 * {@link dev.coba.core.run.RankReport}s of each step, combines them, and keeps what retries,
 * history, checkpoints ({@link dev.coba.core.run.RunState}) and rewinds need. Every front end
 * goes through it.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.run;

import org.jspecify.annotations.NullMarked;
