/**
 * CoBa's peers, each one class extending {@link dev.coba.core.spi.AbstractBalancer} with its
 * {@code DESCRIPTOR}: uniform, LBTW, DWA, FAMO, GradNorm, uncertainty weighting, RLW, IGB v1.
 * docs/coba-spec.md has their formulas and the choices their papers leave open.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.methods;

import org.jspecify.annotations.NullMarked;
