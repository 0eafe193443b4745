package dev.coba.core;

import java.util.List;

/**
 * What a method is: its name, what it does, its parameters and the report fields it
 * reads. {@code GET /v1/methods} and the CLI list these.
 */
public record MethodDescriptor(
    String name,
    String description,
    List<ParamSpec> params,
    List<String> inputs,
    Objective objective,
    Factory factory) {

  /** Builds a balancer from validated arguments. */
  @FunctionalInterface
  public interface Factory {
    Balancer create(List<String> tasks, Params params, double[] initialLosses);
  }

  public MethodDescriptor {
    params = List.copyOf(params);
    inputs = List.copyOf(inputs);
  }
}
