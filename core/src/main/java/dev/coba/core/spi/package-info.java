/**
 * What a method's author extends and calls, apart from the user API of {@link dev.coba.core}:
 * {@link dev.coba.core.spi.AbstractBalancer}, the base class of every method (validation, step
 * order, the current weights and the state envelope), which hands the method a validated
 * {@link dev.coba.core.spi.TaskReport}; {@link dev.coba.core.spi.ReferenceLosses}, the one rule
 * for {@code l_i(0)}; {@link dev.coba.core.spi.StateWriter} and
 * {@link dev.coba.core.spi.StateReader} for the method's own state; and
 * {@link dev.coba.core.spi.MethodProvider}, which adds methods from another module. A user of the
 * methods never needs this package. CONTRIBUTING.md has the recipe.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.spi;

import org.jspecify.annotations.NullMarked;
