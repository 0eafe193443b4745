package dev.coba.trainer.train;

import dev.coba.client.ClientListener;
import dev.coba.client.CobaClient;
import dev.coba.client.RemoteConfig;
import dev.coba.client.RunDefinition;
import dev.coba.client.StepReport;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Where the weights come from: the balancer in this process (default) or a running sidecar,
 * both through the same client API and protocol.
 */
public final class Balancing {
  private final URI sidecar;
  private final String token;
  private volatile String lastFallbackCause = "no answer in time";

  private Balancing(URI sidecar, String token) {
    this.sidecar = sidecar;
    this.token = token;
  }

  public static Balancing inProcess() {
    return new Balancing(null, null);
  }

  /** A sidecar at {@code url}; {@code token} may be null (a sidecar without a token). */
  public static Balancing sidecar(URI url, String token) {
    return new Balancing(url, token);
  }

  public static Balancing of(TrainSettings settings) {
    return settings.sidecar() == null ? inProcess() : sidecar(settings.sidecar(), settings.token());
  }

  /** A client of a new run ({@code initialLosses}: the tasks' validation losses at step 0). */
  public CobaClient open(
      String runId, String method, List<String> tasks, Map<String, Double> initialLosses) {
    RunDefinition run =
        RunDefinition.builder(runId)
            .tasks(tasks)
            .method(method)
            .initialLosses(initialLosses)
            .build();
    if (sidecar == null) {
      return CobaClient.inProcess(run);
    }
    RemoteConfig.Builder config = RemoteConfig.builder(sidecar.toString(), run);
    if (token != null) {
      config.token(token);
    }
    config.listener(
        new ClientListener() {
          @Override
          public void onFallback(StepReport report, Throwable cause) {
            lastFallbackCause =
                cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
          }
        });
    return CobaClient.remote(config.build());
  }

  /** Why the sidecar's client last gave its last weights again instead of an answer, for the console. */
  public String lastFallbackCause() {
    return lastFallbackCause;
  }

  public String describe() {
    return sidecar == null ? "in process" : "sidecar " + sidecar;
  }
}
