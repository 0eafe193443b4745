package dev.coba.sidecar.http;

import dev.coba.sidecar.http.Wire.ErrorBody;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * What Jetty answers before a request reaches Javalin (a malformed request line, an
 * oversized header, a bad URI): the same JSON {@link ErrorBody} as every other error.
 */
final class JettyErrors extends ErrorHandler {
  JettyErrors() {
    setShowServlet(false);
    setShowStacks(false);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Routes.JSON));
    String error = "malformed HTTP request: " + (reason == null ? HttpStatus.getMessage(status) : reason);
    return ByteBuffer.wrap(Json.write(new ErrorBody(error, null, status)));
  }
}
