package dev.coba.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asks a sidecar, before any training, whether it answers, takes the token and knows the methods
 * ({@code GET /v1/methods}). Why: once training runs, the client answers the last weights it had
 * whenever the sidecar is out of reach (so that training never waits); a sidecar that was never
 * there would make every balanced method train on uniform weights and look like uniform.
 */
public final class SidecarCheck {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private SidecarCheck() {}

  /**
   * Returns when the sidecar at {@code url} answers {@code GET /v1/methods} with every method of
   * {@code methods} that needs a balancer; an {@link IllegalArgumentException} naming the URL and
   * what to do otherwise.
   *
   * @param token the bearer token, or null
   */
  public static void require(URI url, String token, List<String> methods) {
    URI endpoint = url.resolve("/v1/methods");
    HttpResponse<String> response;
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(endpoint)
              .timeout(TIMEOUT)
              .GET()
              .header("Accept", "application/json");
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      response =
          HttpClient.newBuilder()
              .connectTimeout(TIMEOUT)
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--sidecar "
              + url
              + ": no sidecar answers there ("
              + describe(e)
              + "); start one (coba-sidecar serve) or leave out --sidecar to balance in this process");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking the sidecar at " + url, e);
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new IllegalArgumentException(
          "--sidecar "
              + url
              + " refused the token (HTTP "
              + status
              + "): give "
              + "the sidecar's token with --token or $COBA_TOKEN");
    }
    if (status != 200) {
      throw new IllegalArgumentException(
          "--sidecar "
              + url
              + ": GET /v1/methods answered HTTP "
              + status
              + "; is this a CoBa sidecar?");
    }
    Set<String> known = knownMethods(url, response.body());
    List<String> unknown = new ArrayList<>();
    for (String m : methods) {
      if (!m.equals(StlRun.METHOD) && !m.equals("uniform") && !known.contains(m)) {
        unknown.add(m);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "--methods: the sidecar at "
              + url
              + " does not know "
              + unknown
              + "; it knows "
              + String.join(", ", known));
    }
  }

  private static Set<String> knownMethods(URI url, String body) {
    Set<String> names = new TreeSet<>();
    try {
      for (JsonNode m : JSON.readTree(body).path("methods")) {
        names.add(m.path("name").asText());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--sidecar "
              + url
              + ": GET /v1/methods did not answer JSON; is this "
              + "a CoBa sidecar?");
    }
    return names;
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
