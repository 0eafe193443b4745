package dev.coba.sidecar.cli;

import dev.coba.core.MethodDescriptor;
import dev.coba.core.Methods;
import java.util.Iterator;

/** The registered method names, for {@code --method}'s help text ({@code ${COMPLETION-CANDIDATES}}). */
public final class MethodNames implements Iterable<String> {
  @Override
  public Iterator<String> iterator() {
    return Methods.all().stream().map(MethodDescriptor::name).iterator();
  }
}
