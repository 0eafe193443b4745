package dev.coba.sidecar.http;

import dev.coba.protocol.Wire.ErrorBody;
import dev.coba.protocol.WireJson;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * What Jetty answers itself (a malformed request line, an oversized header, a bad URI, a
 * WebSocket upgrade no route takes): the same JSON {@link ErrorBody} as every other error,
 * never its HTML page.
 */
final class JettyErrors extends ErrorHandler {
  JettyErrors() {
    setShowServlet(false);
    setShowStacks(false);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, Routes.JSON));
    String error =
        "malformed HTTP request: " + (reason == null ? HttpStatus.getMessage(status) : reason);
    return ByteBuffer.wrap(WireJson.write(new ErrorBody(error, null, status)));
  }

  /** An error sent with {@code sendError} (Javalin answers an unrouted WebSocket upgrade so). */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    baseRequest.setHandled(true);
    String error = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    if (request.getHeader("Upgrade") != null) {
      error =
          "this server has no "
              + ErrorMapping.cut(request.getHeader("Upgrade"), 40)
              + " endpoint; protocol v1 is plain HTTP";
    }
    byte[] body = WireJson.write(new ErrorBody(error, null, code));
    response.setContentType(Routes.JSON);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }
}
