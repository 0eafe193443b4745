/**
 * Core's test helpers, published as coba-core's test jar: {@link dev.coba.core.testing.MethodContract}
 * (the properties every method is tested for), {@link dev.coba.core.testing.RandomHistories} and
 * {@link dev.coba.core.testing.BalancerAssertions}. A module that adds a method depends on the test
 * jar and subclasses {@code MethodContract} in one small test.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.coba.core.testing;

import org.jspecify.annotations.NullMarked;
