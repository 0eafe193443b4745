/**
 * What the sidecar's and the trainer's command lines share: {@link dev.coba.core.cli.ExitCodes}.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.cli;

import org.jspecify.annotations.NullMarked;
