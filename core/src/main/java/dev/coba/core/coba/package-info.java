/**
 * CoBa, both variants: {@code paper} ({@link dev.coba.core.coba.CoBa}) and {@code mftcoder}
 * ({@link dev.coba.core.coba.MftCoderCoBa}), registered as one method by
 * {@link dev.coba.core.coba.CoBaMethod}. docs/coba-spec.md has the formulas.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.coba;

import org.jspecify.annotations.NullMarked;
