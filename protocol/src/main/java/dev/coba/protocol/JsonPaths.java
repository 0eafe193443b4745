package dev.coba.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;

/** Where in a JSON document parsing stopped, as the field path users see in errors. */
public final class JsonPaths {
  private JsonPaths() {}

  /**
   * The path of the value the parser was at ({@code valLosses.python}, {@code tasks[1]}), or
   * null at the top level or when the failure did not come from a parser.
   */
  public static String at(JsonProcessingException e) {
    if (!(e.getProcessor() instanceof JsonParser p)) {
      return null;
    }
    String path = "";
    for (JsonStreamContext ctx = p.getParsingContext();
        ctx != null && !ctx.inRoot();
        ctx = ctx.getParent()) {
      if (ctx.inArray()) {
        path = "[" + Math.max(ctx.getCurrentIndex(), 0) + "]" + joined(path);
      } else if (ctx.getCurrentName() != null) {
        path = ctx.getCurrentName() + joined(path);
      }
    }
    return path.isEmpty() ? null : path;
  }

  /** What follows a name or an index: {@code .name}, {@code [i]} or nothing. */
  private static String joined(String rest) {
    return rest.isEmpty() || rest.startsWith("[") ? rest : "." + rest;
  }
}
