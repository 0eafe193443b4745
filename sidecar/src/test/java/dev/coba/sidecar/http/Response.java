package dev.coba.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.protocol.OpenApiContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;

/** One answer of the server, with the request that got it (for messages and the contract). */
record Response(String method, String path, int status, String body, HttpHeaders headers)
    implements OpenApiContract.Exchange {
  private static final ObjectMapper JSON = new ObjectMapper();

  JsonNode json() {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + this, e);
    }
  }

  @Override
  public String contentType() {
    return headers.firstValue("Content-Type").orElse("");
  }

  /** The {@code field} of an error body (null when absent or JSON null). */
  String errorField() {
    JsonNode f = json().get("field");
    return f == null || f.isNull() ? null : f.asText();
  }

  @Override
  public String toString() {
    return method
        + " "
        + path
        + " -> "
        + status
        + " "
        + (body.length() > 600 ? body.substring(0, 600) + "..." : body);
  }
}
