package dev.coba.sidecar.cli;

import picocli.CommandLine;

/**
 * Builds commands for picocli, handing the {@link Console} to those that take one; everything
 * else (converters, version provider) comes from picocli's default factory.
 */
public final class CommandFactory implements CommandLine.IFactory {
  private final Console console;

  public CommandFactory(Console console) {
    this.console = console;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    try {
      return cls.getDeclaredConstructor(Console.class).newInstance(console);
    } catch (NoSuchMethodException e) {
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
