package dev.coba.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coba.core.methods.Uniform;
import dev.coba.core.spi.AbstractBalancer;
import dev.coba.core.spi.MethodProvider;
import dev.coba.core.spi.StateReader;
import dev.coba.core.spi.StateWriter;
import dev.coba.core.spi.TaskReport;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Methods#restore} with methods from a {@link MethodProvider} (issue 14): one whose
 * balancer extends the SPI's {@link AbstractBalancer} restores and continues; one whose balancer
 * only implements {@link Balancer} is refused with an error that names the method, its class and
 * the base class it lacks, as a provider's mistake (IllegalStateException), never as a bad state
 * (InvalidInputException, which a client would be told to fix).
 */
class MethodsRestoreTest {
  private static final List<String> TASKS = List.of("a", "b");

  /** A provider whose method's balancer implements Balancer without extending AbstractBalancer. */
  static final MethodProvider PLAIN =
      () ->
          List.of(
              new MethodDescriptor(
                  "plain",
                  "Uniform, without the SPI's base class.",
                  List.of(),
                  List.of(),
                  Objective.LINEAR,
                  (tasks, params, init) -> new PlainBalancer(new Uniform(tasks, params, init))));

  /** A provider whose method extends AbstractBalancer, as the SPI asks. */
  static final MethodProvider COUNTING =
      () ->
          List.of(
              new MethodDescriptor(
                  "counting",
                  "Uniform, counting its reports.",
                  List.of(),
                  List.of(),
                  Objective.LINEAR,
                  Counting::new));

  @Test
  void
      refusesToRestoreAMethodWhoseBalancerDoesNotExtendAbstractBalancerNamingTheProvidersMistake() {
    MethodDescriptor d = PLAIN.methods().get(0);
    Balancer b =
        d.factory()
            .create(
                TASKS,
                Params.resolve("plain", List.of(), Map.of()),
                new double[] {Double.NaN, Double.NaN});
    b.update(Report.of(1, Map.of("a", 1.0, "b", 2.0)));
    BalancerState state = b.exportState();

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Methods.restore(d, state));
    assertTrue(e.getMessage().contains("method plain cannot restore a state"), e.getMessage());
    assertTrue(e.getMessage().contains(PlainBalancer.class.getName()), e.getMessage());
    assertTrue(
        e.getMessage().contains("does not extend dev.coba.core.spi.AbstractBalancer"),
        e.getMessage());
  }

  @Test
  void restoresAProvidersMethodThatExtendsAbstractBalancerAndContinuesFromIt() {
    MethodDescriptor d = COUNTING.methods().get(0);
    Balancer b =
        d.factory()
            .create(
                TASKS,
                Params.resolve("counting", List.of(), Map.of()),
                new double[] {Double.NaN, 2.0});
    b.update(Report.of(1, Map.of("a", 1.0)));
    b.update(Report.of(2, Map.of("b", 1.0)));

    Balancer restored = Methods.restore(d, b.exportState());

    assertEquals(b.exportState(), restored.exportState());
    assertEquals(2L, restored.lastStep());
    Report next = Report.of(3, Map.of("a", 0.5));
    assertEquals(b.update(next).weights(), restored.update(next).weights());
    assertEquals(3L, restored.exportState().data().get("reports"));
  }

  @Test
  void importsAStateIntoANewBalancerOnly() {
    Balancer b = Methods.create("uniform", TASKS, Map.of(), null);
    BalancerState state = b.exportState();
    b.update(Report.of(1, Map.of("a", 1.0)));

    IllegalStateException afterReport =
        assertThrows(
            IllegalStateException.class, () -> ((AbstractBalancer) b).importState(state.data()));
    assertTrue(afterReport.getMessage().contains("new balancer only"), afterReport.getMessage());
    assertEquals(1L, b.lastStep()); // refused, nothing loaded
    AbstractBalancer restored = (AbstractBalancer) Methods.restore(state);
    assertThrows(IllegalStateException.class, () -> restored.importState(state.data()));
  }

  /** Delegates to another balancer: a Balancer, not an AbstractBalancer. */
  static final class PlainBalancer implements Balancer {
    private final Balancer inner;

    PlainBalancer(Balancer inner) {
      this.inner = inner;
    }

    @Override
    public String method() {
      return "plain";
    }

    @Override
    public List<String> tasks() {
      return inner.tasks();
    }

    @Override
    public Params params() {
      return inner.params();
    }

    @Override
    public Objective objective() {
      return inner.objective();
    }

    @Override
    public Weights weights() {
      return inner.weights();
    }

    @Override
    public Long lastStep() {
      return inner.lastStep();
    }

    @Override
    public Update update(Report report) {
      return inner.update(report);
    }

    @Override
    public void verify(Report report) {
      inner.verify(report);
    }

    @Override
    public BalancerState exportState() {
      BalancerState s = inner.exportState();
      return new BalancerState(
          s.version(), "plain", s.tasks(), s.params(), s.initialLosses(), s.data());
    }
  }

  /** Uniform weights; its state is the number of reports taken. */
  static final class Counting extends AbstractBalancer {
    private long reports;

    Counting(List<String> tasks, Params params, double[] initialLosses) {
      super("counting", tasks, params, initialLosses);
    }

    @Override
    protected Update apply(TaskReport report) {
      reports++;
      return plain(report.step(), uniform());
    }

    @Override
    protected void writeState(StateWriter out) {
      out.put("reports", reports);
    }

    @Override
    protected void readState(StateReader in) {
      reports = in.getLong("reports", 0);
    }
  }
}
