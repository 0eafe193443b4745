package dev.coba.sidecar.cli;

import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.ParamSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a method's command-line parameters ({@code --param key=value} and shortcuts such as
 * {@code --warmup}) into the typed map that {@code Methods.create} takes. Text is converted
 * by the method's own {@link ParamSpec#parse}, so the CLI and the HTTP API validate alike.
 */
public final class MethodParameters {

  /** A shortcut option for one parameter, e.g. {@code --warmup} for {@code warmupSteps}; text null = not given. */
  public record Shortcut(String option, String param, String text) {}

  private MethodParameters() {}

  /**
   * @throws InvalidInputException naming the option or {@code params.<key>}: a shortcut the
   *     method has no parameter for, a malformed or unknown {@code key=value}, a parameter
   *     given twice, a value out of range
   */
  public static Map<String, Object> resolve(
      MethodDescriptor method, List<Shortcut> shortcuts, List<String> keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Shortcut s : shortcuts) {
      if (s.text() == null) {
        continue;
      }
      ParamSpec spec =
          find(method, s.param())
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          s.option(),
                          s.option()
                              + " sets the parameter "
                              + s.param()
                              + ", which method "
                              + method.name()
                              + " does not have; its parameters: "
                              + names(method)));
      put(out, spec, s.text(), s.option());
    }
    for (String kv : keyValues) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException("--param", "--param expects key=value, got '" + kv + "'");
      }
      String key = kv.substring(0, eq).trim();
      ParamSpec spec =
          find(method, key)
              .orElseThrow(
                  () ->
                      new InvalidInputException(
                          "params." + key,
                          "unknown parameter '"
                              + key
                              + "' for method "
                              + method.name()
                              + "; its parameters: "
                              + names(method)));
      put(out, spec, kv.substring(eq + 1), "--param " + key);
    }
    return out;
  }

  /** Whether the method has a parameter of that name. */
  public static boolean has(MethodDescriptor method, String param) {
    return find(method, param).isPresent();
  }

  private static void put(Map<String, Object> out, ParamSpec spec, String text, String source) {
    if (out.containsKey(spec.name())) {
      throw new InvalidInputException(
          "params." + spec.name(),
          "parameter " + spec.name() + " is given twice (again by " + source + ")");
    }
    out.put(spec.name(), spec.parse(text));
  }

  private static Optional<ParamSpec> find(MethodDescriptor method, String name) {
    return method.params().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private static List<String> names(MethodDescriptor method) {
    return method.params().stream().map(ParamSpec::name).toList();
  }
}
