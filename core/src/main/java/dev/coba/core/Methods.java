package dev.coba.core;

import dev.coba.core.coba.CoBaMethod;
import dev.coba.core.methods.Dwa;
import dev.coba.core.methods.Famo;
import dev.coba.core.methods.GradNorm;
import dev.coba.core.methods.IgbV1;
import dev.coba.core.methods.Lbtw;
import dev.coba.core.methods.Rlw;
import dev.coba.core.methods.Uncertainty;
import dev.coba.core.methods.Uniform;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.MethodProvider;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The registry of balancing methods, and the one way to create or restore a balancer. */
public final class Methods {
  /** Bound on tasks per run: each report costs O(tasks). */
  public static final int MAX_TASKS = 1024;

  public static final int MAX_TASK_NAME_LENGTH = 128;

  private static final Map<String, MethodDescriptor> METHODS = new LinkedHashMap<>();

  static {
    // a method registered here is tested against the method contract by MethodsContractTest, with
    // no line of its own
    register(CoBaMethod.DESCRIPTOR);
    register(Uniform.DESCRIPTOR);
    register(Lbtw.DESCRIPTOR);
    register(Dwa.DESCRIPTOR);
    register(Famo.DESCRIPTOR);
    register(GradNorm.DESCRIPTOR);
    register(Uncertainty.DESCRIPTOR);
    register(Rlw.DESCRIPTOR);
    register(IgbV1.DESCRIPTOR);
    // methods that live outside the core (igbv2 needs a neural network: the trainer brings it)
    for (MethodProvider provider : ServiceLoader.load(MethodProvider.class)) {
      provider.methods().forEach(Methods::register);
    }
  }

  private Methods() {}

  private static void register(MethodDescriptor d) {
    if (METHODS.putIfAbsent(d.name(), d) != null) {
      throw new IllegalStateException("two methods are named " + d.name());
    }
  }

  /** Every method, in a stable order. */
  public static List<MethodDescriptor> all() {
    return List.copyOf(METHODS.values());
  }

  public static MethodDescriptor get(String name) {
    MethodDescriptor d = name == null ? null : METHODS.get(name);
    if (d == null) {
      String shown =
          name == null || name.length() <= 40
              ? name
              : name.substring(0, 40) + "..."; // never echo a long input
      throw new InvalidInputException(
          "method", "unknown method '" + shown + "'; known: " + METHODS.keySet());
    }
    return d;
  }

  /**
   * Creates a balancer after validating everything.
   *
   * @param params given parameters by name (JSON-typed); missing ones take defaults
   * @param initialLosses optional step-0 validation losses by task (may be partial or null)
   */
  public static Balancer create(
      String method,
      List<String> tasks,
      @Nullable Map<String, ?> params,
      @Nullable Map<String, Double> initialLosses) {
    return create(get(method), tasks, params, initialLosses);
  }

  private static Balancer create(
      MethodDescriptor d,
      List<String> tasks,
      @Nullable Map<String, ?> params,
      @Nullable Map<String, Double> initialLosses) {
    checkTasks(tasks);
    Params resolved = Params.resolve(d.name(), d.params(), params);
    return d.factory().create(List.copyOf(tasks), resolved, initial(tasks, initialLosses));
  }

  /**
   * Rebuilds a balancer from {@link Balancer#exportState()}; it continues bit-identically.
   *
   * @throws InvalidInputException for a state this build or the method cannot read, naming the entry
   * @throws IllegalStateException for a method whose balancer does not extend {@link AbstractBalancer}
   *     (a provider's mistake, not the state's)
   */
  public static Balancer restore(BalancerState state) {
    checkVersion(state);
    return load(get(state.method()), state);
  }

  /** {@link #restore(BalancerState)} for the method {@code d}, which need not be registered. */
  static Balancer restore(MethodDescriptor d, BalancerState state) {
    checkVersion(state);
    return load(d, state);
  }

  private static Balancer load(MethodDescriptor d, BalancerState state) {
    Balancer b = create(d, state.tasks(), state.params(), state.initialLosses());
    if (!(b instanceof AbstractBalancer restorable)) {
      // the state envelope (lastStep, weights) and readState live in AbstractBalancer: without it
      // there is nothing to load the state into; the provider broke the SPI's contract, the caller
      // did nothing wrong
      throw new IllegalStateException(
          "method "
              + d.name()
              + " cannot restore a state: its balancer "
              + b.getClass().getName()
              + " does not extend "
              + AbstractBalancer.class.getName()
              + ", as every method's must (see "
              + MethodProvider.class.getName()
              + ")");
    }
    try {
      restorable.importState(state.data());
    } catch (InvalidInputException e) {
      throw e;
    } catch (
        RuntimeException e) { // a hand-edited or truncated state: refuse it, never half-load it
      throw new InvalidInputException(
          "state.data",
          "the state does not fit method "
              + state.method()
              + " with "
              + state.tasks().size()
              + " tasks: "
              + e.getMessage());
    }
    RoundTrip.check(state.data(), b.exportState().data());
    return b;
  }

  private static void checkVersion(BalancerState state) {
    if (state.version() != BalancerState.CURRENT_VERSION) {
      throw new InvalidInputException(
          "state.version",
          "state version "
              + state.version()
              + " is not supported; this build reads version "
              + BalancerState.CURRENT_VERSION);
    }
  }

  /** Refuses an empty, oversized or duplicated task list and unprintable names. */
  public static void checkTasks(List<String> tasks) {
    if (tasks == null || tasks.isEmpty()) {
      throw new InvalidInputException("tasks", "tasks must name at least one task");
    }
    if (tasks.size() > MAX_TASKS) {
      throw new InvalidInputException(
          "tasks", "at most " + MAX_TASKS + " tasks, got " + tasks.size());
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      String t = tasks.get(i);
      String field = "tasks[" + i + "]";
      if (t == null || t.isBlank()) {
        throw new InvalidInputException(field, "a task name must not be empty");
      }
      if (t.length() > MAX_TASK_NAME_LENGTH) {
        throw new InvalidInputException(
            field, "a task name has at most " + MAX_TASK_NAME_LENGTH + " characters");
      }
      if (t.chars().anyMatch(c -> Character.isISOControl(c))) {
        throw new InvalidInputException(
            field, "task name '" + t.strip() + "' contains a control character");
      }
      if (!seen.add(t)) {
        throw new InvalidInputException(field, "duplicate task '" + t + "'");
      }
    }
  }

  private static double[] initial(List<String> tasks, @Nullable Map<String, Double> given) {
    double[] out = new double[tasks.size()];
    Arrays.fill(out, Double.NaN);
    if (given == null) {
      return out;
    }
    for (Map.Entry<String, Double> e : given.entrySet()) {
      int i = tasks.indexOf(e.getKey());
      String field = "initialLosses." + e.getKey();
      if (i < 0) {
        throw new InvalidInputException(
            field, "unknown task '" + e.getKey() + "' in initialLosses; tasks are " + tasks);
      }
      Double v = e.getValue();
      if (v == null || !Double.isFinite(v) || v <= 0) {
        throw new InvalidInputException(
            field,
            "initial loss of task '"
                + e.getKey()
                + "' must be a finite number > 0 (it divides every later loss), got "
                + v);
      }
      out[i] = v;
    }
    return out;
  }
}
