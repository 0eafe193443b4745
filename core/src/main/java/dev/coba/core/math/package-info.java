/**
 * The numerical pieces the methods share: windowed slopes, rolling sums, the divergence factor,
 * a safe softmax and double-double sums.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.math;

import org.jspecify.annotations.NullMarked;
