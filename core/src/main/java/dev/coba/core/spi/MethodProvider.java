package dev.coba.core.spi;

import dev.coba.core.MethodDescriptor;
import java.util.List;

/**
 * Adds methods to {@link dev.coba.core.Methods} from outside the core, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.coba.core.spi.MethodProvider}). The reference trainer uses it for
 * {@code igbv2}, whose Soft Actor-Critic agent needs a neural-network engine the core must not
 * depend on. A provider's balancers extend {@link AbstractBalancer} like the built-in ones
 * (it carries the validation and the state envelope every method must have): {@link
 * dev.coba.core.Methods#restore} refuses a method whose balancer does not, with an
 * {@link IllegalStateException} naming the method and its class.
 *
 * <p>Its methods get the contract every method is tested against (valid weights, determinism,
 * restore, refused reports, permutation) from core's test jar: one test class extending
 * {@code dev.coba.core.testing.MethodContract} whose profiles are {@code Profile.of(provider)},
 * as the trainer's {@code IgbV2ContractTest}.
 */
public interface MethodProvider {
  List<MethodDescriptor> methods();
}
