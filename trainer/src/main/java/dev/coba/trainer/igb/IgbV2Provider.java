package dev.coba.trainer.igb;

import dev.coba.core.MethodDescriptor;
import dev.coba.core.spi.MethodProvider;
import java.util.List;

/**
 * Adds {@code igbv2} to {@link dev.coba.core.Methods} when the trainer is on the class path: its
 * agent needs DJL, which the core must not depend on.
 */
public final class IgbV2Provider implements MethodProvider {
  @Override
  public List<MethodDescriptor> methods() {
    return List.of(IgbV2.DESCRIPTOR);
  }
}
