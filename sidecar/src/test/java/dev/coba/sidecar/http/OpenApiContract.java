package dev.coba.sidecar.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code openapi.yaml} (the repository root, one level above this module) as a checker: the
 * operations it declares, the statuses of each, and whether a response body has the shape of
 * the schema it names for that status. Objects are checked strictly: every required property
 * present, and no property the schema does not declare (unless it allows additional ones).
 */
final class OpenApiContract {
  static final Path YAML = Path.of("..", "openapi.yaml");

  final SwaggerParseResult parsed;
  final OpenAPI api;
  private final Map<String, Pattern> templates = new LinkedHashMap<>();

  private OpenApiContract() {
    if (!Files.isRegularFile(YAML)) {
      throw new IllegalStateException("no openapi.yaml at " + YAML.toAbsolutePath());
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    parsed = new OpenAPIV3Parser().readLocation(YAML.toAbsolutePath().toUri().toString(), null, options);
    api = parsed.getOpenAPI();
    if (api != null) {
      for (String path : api.getPaths().keySet()) {
        templates.put(path, Pattern.compile("^" + path.replaceAll("\\{[^}/]+}", "[^/]+") + "$"));
      }
    }
  }

  private static OpenApiContract instance;

  static synchronized OpenApiContract load() {
    if (instance == null) {
      instance = new OpenApiContract();
    }
    return instance;
  }

  /** Every operation, as {@code "GET /v1/runs/{runId}"}. */
  Set<String> operations() {
    Set<String> ops = new LinkedHashSet<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet().forEach(m -> ops.add(m.name() + " " + path)));
    return ops;
  }

  /** Every documented response, as {@code "GET /v1/runs/{runId} 404"}. */
  Set<String> documentedResponses() {
    Set<String> all = new LinkedHashSet<>();
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((m, op) ->
        op.getResponses().keySet().forEach(status -> all.add(m.name() + " " + path + " " + status))));
    return all;
  }

  /** The path template a concrete path (query ignored) falls under, or null. */
  String template(String path) {
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    for (Map.Entry<String, Pattern> e : templates.entrySet()) {
      if (e.getKey().equals(p)) {
        return e.getKey();
      }
    }
    for (Map.Entry<String, Pattern> e : templates.entrySet()) {
      if (e.getValue().matcher(p).matches()) {
        return e.getKey();
      }
    }
    return null;
  }

  Operation operation(String method, String template) {
    PathItem item = template == null ? null : api.getPaths().get(template);
    return item == null ? null : item.readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
  }

  /**
   * Problems with {@code r} against the contract: its status must be documented for its
   * operation, its content type and body must match. A response to no operation (an unknown
   * path or method) must still be an {@code Error}.
   */
  List<String> problems(Response r) {
    List<String> problems = new ArrayList<>();
    String template = template(r.path());
    Operation op = operation(r.method(), template);
    if (op == null) {
      if (r.status() != 404 && r.status() != 405) {
        problems.add("no operation " + r.method() + " " + r.path() + " yet status " + r.status());
      }
      validate(schema("Error"), r.json(), "$", problems);
      return problems;
    }
    ApiResponse documented = op.getResponses().get(Integer.toString(r.status()));
    if (documented == null) {
      problems.add("status " + r.status() + " is not documented for " + r.method() + " " + template);
      return problems;
    }
    if (documented.getContent() == null || documented.getContent().isEmpty()) {
      if (!r.body().isEmpty()) {
        problems.add("no content documented, got a body");
      }
      return problems;
    }
    String type = r.contentType().split(";")[0].trim();
    MediaType media = documented.getContent().get(type);
    if (media == null) {
      problems.add("content type '" + r.contentType() + "' is not documented; documented: " + documented.getContent().keySet());
      return problems;
    }
    if (type.equals("application/json")) {
      validate(media.getSchema(), r.json(), "$", problems);
    }
    return problems;
  }

  Schema<?> schema(String name) {
    return api.getComponents().getSchemas().get(name);
  }

  /** Checks {@code node} against {@code s}, appending what is wrong, each with its JSON path. */
  @SuppressWarnings("rawtypes")
  static void validate(Schema<?> s, JsonNode node, String at, List<String> problems) {
    if (s == null) {
      return;
    }
    if (node == null || node.isMissingNode()) {
      problems.add(at + ": missing");
      return;
    }
    if (node.isNull()) {
      if (!Boolean.TRUE.equals(s.getNullable())) {
        problems.add(at + ": null, but the schema is not nullable");
      }
      return;
    }
    List<?> enumValues = s.getEnum();
    if (enumValues != null && !enumValues.isEmpty()
        && enumValues.stream().noneMatch(v -> String.valueOf(v).equals(node.asText()))) {
      problems.add(at + ": " + node + " is not one of " + enumValues);
    }
    String type = s.getType();
    if (type == null && s.getProperties() != null) {
      type = "object";
    }
    switch (type == null ? "" : type) {
      case "object" -> {
        if (!node.isObject()) {
          problems.add(at + ": expected an object, got " + node.getNodeType());
          return;
        }
        if (s.getRequired() != null) {
          for (String req : s.getRequired()) {
            if (!node.has(req)) {
              problems.add(at + ": required property '" + req + "' is missing");
            }
          }
        }
        Map<String, Schema> props = s.getProperties() == null ? Map.of() : s.getProperties();
        Object additional = s.getAdditionalProperties();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          String where = at + "." + e.getKey();
          if (props.containsKey(e.getKey())) {
            validate(props.get(e.getKey()), e.getValue(), where, problems);
          } else if (additional instanceof Schema<?> as) {
            validate(as, e.getValue(), where, problems);
          } else if (!Boolean.TRUE.equals(additional)) {
            problems.add(where + ": property not declared by the schema");
          }
        }
      }
      case "array" -> {
        if (!node.isArray()) {
          problems.add(at + ": expected an array, got " + node.getNodeType());
          return;
        }
        for (int i = 0; i < node.size(); i++) {
          validate(s.getItems(), node.get(i), at + "[" + i + "]", problems);
        }
      }
      case "string" -> {
        if (!node.isTextual()) {
          problems.add(at + ": expected a string, got " + node.getNodeType());
        } else if (s.getPattern() != null && !Pattern.compile(s.getPattern()).matcher(node.asText()).find()) {
          problems.add(at + ": '" + node.asText() + "' does not match " + s.getPattern());
        }
      }
      case "integer" -> {
        if (!node.isIntegralNumber()) {
          problems.add(at + ": expected an integer, got " + node);
        }
        checkMinimum(s, node, at, problems);
      }
      case "number" -> {
        if (!node.isNumber()) {
          problems.add(at + ": expected a number, got " + node);
        }
        checkMinimum(s, node, at, problems);
      }
      case "boolean" -> {
        if (!node.isBoolean()) {
          problems.add(at + ": expected a boolean, got " + node);
        }
      }
      default -> { } // no type: anything
    }
  }

  private static void checkMinimum(Schema<?> s, JsonNode node, String at, List<String> problems) {
    BigDecimal min = s.getMinimum();
    if (min == null || !node.isNumber()) {
      return;
    }
    int c = node.decimalValue().compareTo(min);
    if (c < 0 || (c == 0 && Boolean.TRUE.equals(s.getExclusiveMinimum()))) {
      problems.add(at + ": " + node + " is below the minimum " + min);
    }
  }
}
