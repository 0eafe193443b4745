package dev.coba.sidecar.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.coba.core.InvalidInputException;
import dev.coba.core.run.RunConflictException;
import dev.coba.sidecar.runs.RunNotFoundException;
import dev.coba.sidecar.runs.StoreException;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import org.junit.jupiter.api.Test;

/** The one table from exceptions to statuses, including what the routes cannot provoke (500). */
class ErrorMappingTest {

  static void mapsTo(Exception e, int status, String field) {
    ErrorMapping.Mapped m = ErrorMapping.map(e);
    assertEquals(status, m.status(), e::toString);
    assertEquals(status, m.body().status());
    assertEquals(field, m.body().field());
  }

  @Test
  void everyKindOfFailure() {
    mapsTo(new InvalidInputException("valLosses.python", "NaN"), 400, "valLosses.python");
    mapsTo(new ApiException(401, null, "no token"), 401, null);
    mapsTo(new RunNotFoundException("r1"), 404, "runId");
    mapsTo(new ApiException(404, "step", "nobody reported step 3"), 404, "step");
    mapsTo(new RunConflictException("step", "another body"), 409, "step");
    mapsTo(new ApiException(413, null, "too large"), 413, null);
    mapsTo(
        new HttpResponseException(HttpStatus.CONTENT_TOO_LARGE.getCode(), "too large"), 413, null);
    mapsTo(new ApiException(415, null, "not JSON"), 415, null);
    mapsTo(new StoreException("disk full"), 503, null);
  }

  @Test
  void longMessagesAndFieldsAreCutWithoutSplittingACharacter() {
    ErrorMapping.Mapped m =
        ErrorMapping.map(new InvalidInputException("x".repeat(5000), "y".repeat(50_000)));
    assertEquals(ErrorMapping.MAX_FIELD + 3, m.body().field().length());
    assertEquals(ErrorMapping.MAX_MESSAGE + 3, m.body().error().length());
    String emoji = "a".repeat(ErrorMapping.MAX_FIELD - 1) + "\uD83D\uDE00" + "b";
    assertEquals(
        "a".repeat(ErrorMapping.MAX_FIELD - 1) + "...",
        ErrorMapping.cut(emoji, ErrorMapping.MAX_FIELD));
  }

  @Test
  void anythingElseIsA500NamingNoField() {
    ErrorMapping.Mapped m = ErrorMapping.map(new IllegalStateException("a bug"));
    assertEquals(500, m.status());
    assertNull(m.body().field());
    assertEquals("internal error (a bug): IllegalStateException", m.body().error());
  }
}
