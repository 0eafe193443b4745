/**
 * The balancing methods as a user calls them: {@link dev.coba.core.Methods} creates or restores a
 * {@link dev.coba.core.Balancer}, which takes {@link dev.coba.core.Report}s and answers
 * {@link dev.coba.core.Update}s with the {@link dev.coba.core.Weights} for the next step;
 * {@link dev.coba.core.Methods#all()} lists every method as a {@link dev.coba.core.MethodDescriptor}
 * with its {@link dev.coba.core.ParamSpec}s. A refused input throws
 * {@link dev.coba.core.InvalidInputException} naming its field and changes nothing. Writing a
 * method is the SPI's business: {@link dev.coba.core.spi}.
 *
 * <p>Nothing here is null unless marked {@link org.jspecify.annotations.Nullable}: an optional
 * input (null means not given) or an answer that may be absent. An input that must be given is
 * not marked, even where a null is refused by name rather than failing (the front ends pass JSON
 * through as it came).
 */
@NullMarked
package dev.coba.core;

import org.jspecify.annotations.NullMarked;
