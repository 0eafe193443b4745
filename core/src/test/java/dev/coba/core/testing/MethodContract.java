package dev.coba.core.testing;

import static dev.coba.core.testing.BalancerAssertions.assertDeterministic;
import static dev.coba.core.testing.BalancerAssertions.assertPermutationEquivariant;
import static dev.coba.core.testing.BalancerAssertions.assertRefusedWithoutChange;
import static dev.coba.core.testing.BalancerAssertions.assertRestoreContinuesBitIdentically;
import static dev.coba.core.testing.BalancerAssertions.assertSameAnswer;
import static dev.coba.core.testing.BalancerAssertions.assertScaleFree;
import static dev.coba.core.testing.BalancerAssertions.assertValidWeights;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.Balancer;
import dev.coba.core.BalancerState;
import dev.coba.core.InvalidInputException;
import dev.coba.core.MethodDescriptor;
import dev.coba.core.Methods;
import dev.coba.core.Report;
import dev.coba.core.Update;
import dev.coba.core.spi.MethodProvider;
import dev.coba.core.testing.RandomHistories.History;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every balancing method keeps, run the same way for each method a subclass
 * names in {@link #profiles()}, on seeded random histories:
 * <ul>
 *   <li>it is registered with {@link Methods} under its name;
 *   <li>its weights are valid: finite, positive, summing to 1, in the order of the tasks, for
 *       the report's step, in the objective its descriptor declares (uniform before any report);
 *   <li>the same reports give the same answers, bit for bit;
 *   <li>a state exported through JSON and restored continues bit-identically;
 *   <li>a report it refuses (a step that does not increase, a NaN, infinite, negative or
 *       missing value, an unknown task, a report carrying none of its inputs) is refused by
 *       {@link Balancer#verify} and {@link Balancer#update} naming the field, and changes
 *       nothing: the state is what it was, and the next answers are those of a twin that never
 *       saw it;
 *   <li>losses and gradient norms anywhere in the range of doubles (10^-300 to 10^300, the
 *       smallest and largest doubles, zero) give valid weights, or are refused (naming the
 *       value's field, changing nothing): a valid report never leaves a run with NaN weights;
 *   <li>reordering the tasks reorders the weights (within {@link BalancerAssertions#TOL}),
 *       unless its profile says the method does not promise it;
 *   <li>multiplying one task's losses by a constant changes no weight, where its profile says
 *       the method promises it.
 * </ul>
 *
 * <p><b>How a method gets the contract.</b> A method registered by the core is under it with no
 * line of its own: core's {@code MethodsContractTest} runs over {@link Methods#all()}, with
 * {@link Profile#of(MethodDescriptor)}'s defaults for a method it has no entry for. A method
 * brought by a {@link MethodProvider} gets it in its own module, with core's test jar as a
 * test dependency ({@code coba-core}, {@code <type>test-jar</type>}, {@code <scope>test</scope>}),
 * by one class:
 * <pre>{@code
 * class MyMethodsContractTest extends MethodContract {
 *   protected Stream<Profile> profiles() {
 *     return Profile.of(new MyProvider());
 *   }
 * }
 * }</pre>
 * A profile changes the defaults where a method needs it: parameters to run with or to stress,
 * its own histories, fewer runs for a slow method, no permutation promise, a scale-freedom
 * promise. What is the method's own (hand-computed cases, its naive twin, its parameters'
 * refusals) stays in the method's test.
 */
@TestInstance(Lifecycle.PER_CLASS)
public abstract class MethodContract {

  /** The methods under contract, each with how to exercise it. */
  protected abstract Stream<Profile> profiles();

  /** The profiles of the methods that promise permutation equivariance. */
  protected final Stream<Profile> permuting() {
    return profiles().filter(Profile::permutes);
  }

  /** The profiles of the methods that promise scale freedom. */
  protected final Stream<Profile> scaleFree() {
    return profiles().filter(Profile::scaleFree);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void isRegisteredWithMethods(Profile p) {
    MethodDescriptor d = p.descriptor();
    MethodDescriptor registered = Methods.get(d.name());
    assertEquals(d.objective(), registered.objective());
    assertEquals(d.inputs(), registered.inputs());
    assertEquals(d.params(), registered.params());
  }

  /** With the profile's extreme parameters, twice as many runs. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void weightsAreValid(Profile p) {
    p.forEachHistory(
        "weights",
        2 * p.runs(),
        p.extremeParams(),
        (hist, params, rnd) -> assertValidWeights(p.method(), params, hist));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void sameReportsSameAnswersBitForBit(Profile p) {
    p.forEachHistory(
        "determinism",
        p.runs() / 4,
        p.params(),
        (hist, params, rnd) -> assertDeterministic(p.method(), params, hist));
  }

  /** Restores at one point of each third of a history: from before the first report to after the last. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void exportThroughJsonAndRestoreContinuesBitIdentically(Profile p) {
    p.forEachHistory(
        "restore",
        p.runs() / 2,
        p.params(),
        (hist, params, rnd) -> {
          int n = hist.reports().size();
          int[] cuts =
              IntStream.range(0, 3)
                  .map(i -> i * n / 3 + rnd.nextInt((i + 1) * n / 3 - i * n / 3 + 1))
                  .distinct()
                  .toArray();
          assertRestoreContinuesBitIdentically(p.method(), params, hist, cuts);
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void refusedReportsChangeNothing(Profile p) {
    p.forEachHistory(
        "refusals",
        p.runs() / 4,
        p.params(),
        (hist, params, rnd) -> assertRefusalsChangeNothing(p, params, hist, rnd));
  }

  /**
   * The histories' reports with every value replaced by one drawn over the whole range of
   * doubles: each report gives valid weights, or is refused by {@code verify} naming one of its
   * values and changing nothing (then the run goes on without it). Found CoBa answering NaN
   * for good after a loss of 10^-300 and then 10^10 (the ratio overflowed).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("profiles")
  void valuesOfAnyMagnitudeGiveValidWeightsOrAClearRefusal(Profile p) {
    p.forEachHistory(
        "magnitudes",
        p.runs(),
        p.params(),
        (hist, params, rnd) -> {
          Map<String, Double> initial = new LinkedHashMap<>();
          // initial losses must be > 0 (a zero is refused at creation: it divides later losses)
          hist.initialLosses()
              .forEach(
                  (task, v) -> initial.put(task, Math.max(Double.MIN_VALUE, anyMagnitude(rnd))));
          Balancer b = Methods.create(p.method(), hist.tasks(), params, initial);
          for (Report r : hist.reports()) {
            Report extreme =
                new Report(
                    r.step(),
                    anyMagnitudes(r.valLosses(), rnd),
                    anyMagnitudes(r.trainLosses(), rnd),
                    anyMagnitudes(r.gradNorms(), rnd));
            String where = "step " + r.step() + ", " + extreme;
            BalancerState before = b.exportState();
            try {
              b.verify(extreme);
            } catch (InvalidInputException e) {
              String field = e.field() == null ? "" : e.field();
              assertTrue(
                  FIELDS.stream().anyMatch(f -> field.equals(f) || field.startsWith(f + ".")),
                  where + ": refused for '" + field + "', not one of its values");
              assertEquals(before, b.exportState(), where + ": refusing changed the state");
              continue;
            }
            Update u = b.update(extreme);
            // the method's diagnostics in a failure show where a NaN came from
            StringBuilder seen = new StringBuilder(", diagnostics " + u.diagnostics());
            u.taskDiagnostics()
                .forEach((k, v) -> seen.append(' ').append(k).append(Arrays.toString(v)));
            assertValidWeights(u.weights().values(), where + seen);
          }
        });
  }

  private static Map<String, Double> anyMagnitudes(Map<String, Double> values, Random rnd) {
    Map<String, Double> out = new LinkedHashMap<>();
    values.forEach((task, v) -> out.put(task, anyMagnitude(rnd)));
    return out;
  }

  /** A value >= 0 from anywhere in the doubles: mostly 10^-300..10^300, sometimes the ends or 0. */
  private static double anyMagnitude(Random rnd) {
    return switch (rnd.nextInt(8)) {
      case 0 -> Double.MIN_VALUE * (1 + rnd.nextInt(10));
      case 1 -> Double.MAX_VALUE * rnd.nextDouble();
      case 2 -> 0.0;
      case 3 -> rnd.nextDouble() * 10;
      default -> Math.pow(10, -300 + 600 * rnd.nextDouble());
    };
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("permuting")
  void permutingTasksPermutesWeights(Profile p) {
    p.forEachHistory(
        "permutation",
        p.runs(),
        p.params(),
        (hist, params, rnd) -> assertPermutationEquivariant(rnd, p.method(), params, hist));
  }

  @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
  @MethodSource("scaleFree")
  void scalingOneTasksLossesChangesNoWeight(Profile p) {
    p.forEachHistory(
        "scale",
        p.runs(),
        p.params(),
        (hist, params, rnd) -> {
          String task = hist.tasks().get(rnd.nextInt(hist.tasks().size()));
          assertScaleFree(p.method(), params, hist, task, Math.exp(4 * rnd.nextGaussian()));
        });
  }

  /**
   * Runs a random part of the history, then offers every kind of bad report built from the next
   * one; then runs the rest beside a twin that saw none of them.
   */
  private static void assertRefusalsChangeNothing(
      Profile p, Map<String, Object> params, History hist, Random rnd) {
    List<Report> reports = hist.reports();
    int cut = rnd.nextInt(reports.size());
    Balancer b = Methods.create(p.method(), hist.tasks(), params, hist.initialLosses());
    Balancer twin = Methods.create(p.method(), hist.tasks(), params, hist.initialLosses());
    for (Report r : reports.subList(0, cut)) {
      b.update(r);
      twin.update(r);
    }
    Report next = reports.get(cut);
    String task = hist.tasks().get(rnd.nextInt(hist.tasks().size()));
    for (Refusal bad : refusals(b.lastStep(), !hist.initialLosses().isEmpty(), next, task)) {
      InvalidInputException e = assertRefusedWithoutChange(bad.field(), b, bad.report());
      String step = Long.toString(bad.report().step());
      if (bad.task() == null) {
        assertTrue(e.getMessage().contains(step), e.getMessage());
      } else {
        assertTrue(
            e.getMessage().contains("step " + step)
                && e.getMessage().contains("'" + bad.task() + "'"),
            e.getMessage());
      }
    }
    Report empty = Report.of(next.step(), Map.of());
    List<String> inputs = p.descriptor().inputs();
    if (p.refusesEmptyReports()) {
      // a report carrying none of the method's inputs: refused, naming valLosses if it reads them,
      // else one of them
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class,
              () -> b.verify(empty),
              p.method() + " reads " + inputs + " but accepts a report that carries none of them");
      assertTrue(
          inputs.contains("valLosses") ? e.field().equals("valLosses") : inputs.contains(e.field()),
          e.field() + " is not what a report missing " + inputs + " is refused for");
      assertRefusedWithoutChange(e.field(), b, empty);
    } else {
      BalancerState before = b.exportState();
      b.verify(empty);
      assertEquals(before, b.exportState(), "state changed by verifying a report");
    }
    for (Report r : reports.subList(cut, reports.size())) {
      assertSameAnswer(twin.update(r), b.update(r), "after the refusals, step " + r.step());
    }
    assertEquals(twin.exportState(), b.exportState());
  }

  /** One property's check of one history, with its parameters and the property's generator. */
  @FunctionalInterface
  private interface Check {
    void run(History history, Map<String, Object> params, Random rnd);
  }

  /** A report a method must refuse, the field the refusal names and the task it names (null: none). */
  private record Refusal(String field, @Nullable String task, Report report) {}

  private static final List<String> FIELDS = List.of("valLosses", "trainLosses", "gradNorms");
  private static final List<@Nullable Double> BAD_VALUES =
      Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.5, null);

  /**
   * The ways {@code next} can be spoilt whatever the method: steps that do not increase, a
   * negative step, step 0 after initial losses, and in each field a bad value or an unknown task.
   */
  private static List<Refusal> refusals(
      @Nullable Long lastStep, boolean initialLosses, Report next, String task) {
    List<Refusal> out = new ArrayList<>();
    out.add(new Refusal("step", null, withStep(next, -1)));
    if (lastStep != null) {
      out.add(new Refusal("step", null, withStep(next, lastStep)));
      if (lastStep > 0) {
        out.add(new Refusal("step", null, withStep(next, lastStep - 1)));
      }
    } else if (initialLosses) {
      out.add(new Refusal("step", null, withStep(next, 0)));
    }
    for (String field : FIELDS) {
      for (@Nullable Double bad : BAD_VALUES) {
        out.add(new Refusal(field + "." + task, task, with(next, field, task, bad)));
      }
      out.add(
          new Refusal(
              field + ".no such task", "no such task", with(next, field, "no such task", 1.0)));
    }
    return out;
  }

  private static Report withStep(Report r, long step) {
    return new Report(step, r.valLosses(), r.trainLosses(), r.gradNorms());
  }

  /** {@code r} with {@code field.task} set to {@code value}: null, as a JSON null would come, included. */
  private static Report with(Report r, String field, String task, @Nullable Double value) {
    Map<String, Map<String, @Nullable Double>> maps = new LinkedHashMap<>();
    maps.put("valLosses", new LinkedHashMap<>(r.valLosses()));
    maps.put("trainLosses", new LinkedHashMap<>(r.trainLosses()));
    maps.put("gradNorms", new LinkedHashMap<>(r.gradNorms()));
    maps.get(field).put(task, value);
    return new Report(
        r.step(), maps.get("valLosses"), maps.get("trainLosses"), maps.get("gradNorms"));
  }

  /**
   * How the contract exercises one method.
   *
   * @param name the name a test report shows (the method's, or e.g. {@code "coba mftcoder"})
   * @param descriptor the method
   * @param histories draws a history: tasks, initial losses and reports
   * @param params draws the parameters of one history for every property but the weights'
   * @param extremeParams draws the parameters of one history for the valid-weights property:
   *     the extremes where weights underflow or overflow
   * @param runs the histories per property: twice as many for the weights, a half for the
   *     restore, a quarter for determinism and refusals
   * @param permutes whether reordering the tasks reorders the weights within {@link BalancerAssertions#TOL}
   * @param scaleFree whether multiplying a task's losses (initial and reported) by a constant changes no weight
   * @param refusesEmptyReports whether a report naming no task is refused (else it is accepted)
   */
  public record Profile(
      String name,
      MethodDescriptor descriptor,
      Function<Random, History> histories,
      Function<Random, Map<String, Object>> params,
      Function<Random, Map<String, Object>> extremeParams,
      int runs,
      boolean permutes,
      boolean scaleFree,
      boolean refusesEmptyReports) {

    /**
     * The defaults: the histories of {@link RandomHistories#METHODS} with the inputs the method
     * reads (gradient norms, training losses; for a method that reads nothing, half of them
     * reports naming no task), 1 to 8 tasks and 1 to 120 reports; the default parameters;
     * 100 runs; permutation-equivariant; not promised scale-free; a report naming no task
     * refused unless the method reads nothing.
     */
    public static Profile of(MethodDescriptor d) {
      RandomHistories shape = RandomHistories.METHODS;
      if (d.inputs().contains("gradNorms")) {
        shape = shape.withGradNorms();
      }
      if (d.inputs().contains("trainLosses")) {
        shape = shape.withTrainLosses();
      }
      RandomHistories s = shape;
      Function<Random, History> histories =
          d.inputs().isEmpty()
              ? rnd ->
                  rnd.nextBoolean()
                      ? RandomHistories.emptyReports(
                          RandomHistories.names(1 + rnd.nextInt(8)), 1 + rnd.nextInt(120))
                      : s.history(rnd, 1 + rnd.nextInt(8), 1 + rnd.nextInt(120))
              : rnd -> s.history(rnd, 1 + rnd.nextInt(8), 1 + rnd.nextInt(120));
      return new Profile(
          d.name(),
          d,
          histories,
          rnd -> Map.of(),
          rnd -> Map.of(),
          100,
          true,
          false,
          !d.inputs().isEmpty());
    }

    /** The defaults for each method of a provider. */
    public static Stream<Profile> of(MethodProvider provider) {
      return provider.methods().stream().map(Profile::of);
    }

    public String method() {
      return descriptor.name();
    }

    public Profile named(String name) {
      return with(b -> b.name = name);
    }

    public Profile withHistories(Function<Random, History> histories) {
      return with(b -> b.histories = histories);
    }

    /**
     * Parameters drawn per history, for every property: for the valid weights too, unless
     * {@link #withExtremeParams} follows.
     */
    public Profile withParams(Function<Random, Map<String, Object>> params) {
      return with(
          b -> {
            b.params = params;
            b.extremeParams = params;
          });
    }

    /** Parameters drawn per history for the valid-weights property only. */
    public Profile withExtremeParams(Function<Random, Map<String, Object>> extremeParams) {
      return with(b -> b.extremeParams = extremeParams);
    }

    public Profile withRuns(int runs) {
      return with(b -> b.runs = runs);
    }

    /** For a method that does not promise permutation equivariance (say why in its Javadoc). */
    public Profile withoutPermutation() {
      return with(b -> b.permutes = false);
    }

    /** For a method that promises scale freedom. */
    public Profile withScaleFreedom() {
      return with(b -> b.scaleFree = true);
    }

    /** For a method that reads an input but takes a report naming no task (every task absent). */
    public Profile acceptingEmptyReports() {
      return with(b -> b.refusesEmptyReports = false);
    }

    /** A copy with {@code change} applied: each wither names only the fields it sets. */
    private Profile with(java.util.function.Consumer<Copy> change) {
      Copy c = new Copy(this);
      change.accept(c);
      return new Profile(
          c.name,
          descriptor,
          c.histories,
          c.params,
          c.extremeParams,
          c.runs,
          c.permutes,
          c.scaleFree,
          c.refusesEmptyReports);
    }

    /** The fields a wither may change, copied from a profile. */
    private static final class Copy {
      String name;
      Function<Random, History> histories;
      Function<Random, Map<String, Object>> params;
      Function<Random, Map<String, Object>> extremeParams;
      int runs;
      boolean permutes;
      boolean scaleFree;
      boolean refusesEmptyReports;

      Copy(Profile p) {
        name = p.name;
        histories = p.histories;
        params = p.params;
        extremeParams = p.extremeParams;
        runs = p.runs;
        permutes = p.permutes;
        scaleFree = p.scaleFree;
        refusesEmptyReports = p.refusesEmptyReports;
      }
    }

    /**
     * Draws {@code count} (at least one) histories, each with its parameters, from the
     * property's generator, and checks each; a failure names the profile, the history and the
     * parameters.
     */
    void forEachHistory(
        String property, int count, Function<Random, Map<String, Object>> params, Check check) {
      Random rnd = new Random((name + "/" + property).hashCode());
      for (int h = 0; h < Math.max(1, count); h++) {
        History hist = histories.apply(rnd);
        Map<String, Object> drawn = params.apply(rnd);
        try {
          check.run(hist, drawn, rnd);
        } catch (AssertionError | RuntimeException e) {
          throw new AssertionError(
              name + ", history " + h + ", params " + drawn + ": " + e.getMessage(), e);
        }
      }
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
