package dev.coba.protocol;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.coba.core.InvalidInputException;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
 * operations it declares, the statuses of each, and whether a request or response body has the
 * shape of the schema it names. Objects are checked strictly: every required property
 * present, and no property the schema does not declare (unless it allows additional ones). A
 * JSON body must also be read by the protocol's type for its schema ({@link Wire#SCHEMAS}, with
 * {@link WireJson}'s strict settings): what the sidecar answers, the Java client can read, and
 * what a client sends, the sidecar can.
 *
 * <p>Shared with the sidecar's and the client's tests as this module's test jar.
 */
public final class OpenApiContract {
  public static final Path YAML = Path.of("..", "openapi.yaml");
  private static final ObjectMapper PLAIN = new ObjectMapper();

  public final SwaggerParseResult parsed;
  public final OpenAPI api;

  /** The yaml with its {@code $ref}s kept: which named schema a body has. */
  private final OpenAPI named;

  private final Map<String, Pattern> templates = new LinkedHashMap<>();

  /** One HTTP exchange as a test saw it: the request's method and path, the answer. */
  public interface Exchange {
    String method();

    String path();

    int status();

    /** The answer's Content-Type, "" when none. */
    String contentType();

    /** The answer's body, "" when none. */
    String body();
  }

  private OpenApiContract() {
    if (!Files.isRegularFile(YAML)) {
      throw new IllegalStateException("no openapi.yaml at " + YAML.toAbsolutePath());
    }
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setResolveFully(true);
    parsed =
        new OpenAPIV3Parser().readLocation(YAML.toAbsolutePath().toUri().toString(), null, options);
    api = parsed.getOpenAPI();
    ParseOptions refs = new ParseOptions();
    refs.setResolve(true);
    named =
        new OpenAPIV3Parser()
            .readLocation(YAML.toAbsolutePath().toUri().toString(), null, refs)
            .getOpenAPI();
    if (api != null) {
      for (String path : api.getPaths().keySet()) {
        templates.put(path, Pattern.compile("^" + path.replaceAll("\\{[^}/]+}", "[^/]+") + "$"));
      }
    }
  }

  private static OpenApiContract instance;

  public static synchronized OpenApiContract load() {
    if (instance == null) {
      instance = new OpenApiContract();
    }
    return instance;
  }

  /** Every operation, as {@code "GET /v1/runs/{runId}"}. */
  public Set<String> operations() {
    Set<String> ops = new LinkedHashSet<>();
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap().keySet().forEach(m -> ops.add(m.name() + " " + path)));
    return ops;
  }

  /** Every documented response, as {@code "GET /v1/runs/{runId} 404"}. */
  public Set<String> documentedResponses() {
    Set<String> all = new LinkedHashSet<>();
    api.getPaths()
        .forEach(
            (path, item) ->
                item.readOperationsMap()
                    .forEach(
                        (m, op) ->
                            op.getResponses()
                                .keySet()
                                .forEach(status -> all.add(m.name() + " " + path + " " + status))));
    return all;
  }

  /** The path template a concrete path (query ignored) falls under, or null. */
  public String template(String path) {
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

  public Operation operation(String method, String template) {
    return operation(api, method, template);
  }

  private static Operation operation(OpenAPI in, String method, String template) {
    PathItem item = template == null ? null : in.getPaths().get(template);
    return item == null ? null : item.readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
  }

  /**
   * Problems with {@code r} against the contract: its status must be documented for its
   * operation, its content type and body must match. A response to no operation (an unknown
   * path or method) must still be an {@code Error}.
   */
  public List<String> problems(Exchange r) {
    List<String> problems = new ArrayList<>();
    String template = template(r.path());
    Operation op = operation(r.method(), template);
    if (op == null) {
      if (r.status() != 404 && r.status() != 405) {
        problems.add("no operation " + r.method() + " " + r.path() + " yet status " + r.status());
      }
      JsonNode json = json(r.body(), problems);
      if (json != null) {
        validate(schema("Error"), json, "$", problems);
        readsAs("Error", r.body(), problems);
      }
      return problems;
    }
    ApiResponse documented = op.getResponses().get(Integer.toString(r.status()));
    if (documented == null) {
      problems.add(
          "status " + r.status() + " is not documented for " + r.method() + " " + template);
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
      problems.add(
          "content type '"
              + r.contentType()
              + "' is not documented; documented: "
              + documented.getContent().keySet());
      return problems;
    }
    if (type.equals("application/json")) {
      JsonNode json = json(r.body(), problems);
      if (json != null) {
        validate(media.getSchema(), json, "$", problems);
        ApiResponse withRef =
            operation(named, r.method(), template).getResponses().get(Integer.toString(r.status()));
        readsAs(
            schemaName(withRef.get$ref() != null ? resolve(withRef) : withRef, type),
            r.body(),
            problems);
      }
    }
    return problems;
  }

  /**
   * Problems with a request body that a client sends: the operation must take one, as JSON of
   * the schema it names, which the protocol's type reads.
   */
  public List<String> requestProblems(String method, String path, String contentType, String body) {
    List<String> problems = new ArrayList<>();
    String template = template(path);
    Operation op = operation(method, template);
    if (op == null) {
      problems.add("no operation " + method + " " + path);
      return problems;
    }
    if (op.getRequestBody() == null) {
      if (body != null && !body.isEmpty()) {
        problems.add(method + " " + template + " takes no body, got one");
      }
      return problems;
    }
    String type = contentType == null ? "" : contentType.split(";")[0].trim();
    MediaType media = op.getRequestBody().getContent().get(type);
    if (media == null) {
      problems.add(
          "request content type '"
              + contentType
              + "' is not documented for "
              + method
              + " "
              + template);
      return problems;
    }
    JsonNode json = json(body, problems);
    if (json != null) {
      validate(media.getSchema(), json, "$", problems);
      MediaType withRef =
          operation(named, method, template).getRequestBody().getContent().get(type);
      readsAs(refName(withRef.getSchema()), body, problems);
    }
    return problems;
  }

  public Schema<?> schema(String name) {
    return api.getComponents().getSchemas().get(name);
  }

  /** The named schema of a response's JSON content; null when it is not a {@code $ref}. */
  private static String schemaName(ApiResponse response, String contentType) {
    MediaType media = response.getContent() == null ? null : response.getContent().get(contentType);
    return media == null ? null : refName(media.getSchema());
  }

  private static String refName(Schema<?> s) {
    String ref = s == null ? null : s.get$ref();
    return ref == null ? null : ref.substring(ref.lastIndexOf('/') + 1);
  }

  private ApiResponse resolve(ApiResponse r) {
    return named
        .getComponents()
        .getResponses()
        .get(r.get$ref().substring(r.get$ref().lastIndexOf('/') + 1));
  }

  /** The body read strictly as the protocol's type of {@code schema}. */
  private static void readsAs(String schema, String body, List<String> problems) {
    if (schema == null) {
      return;
    }
    JavaType type = Wire.SCHEMAS.get(schema);
    if (type == null) {
      problems.add("the protocol has no type for the schema " + schema + " (Wire.SCHEMAS)");
      return;
    }
    try {
      WireJson.read(body.getBytes(StandardCharsets.UTF_8), type);
    } catch (InvalidInputException e) {
      problems.add(
          "$: "
              + type.getRawClass().getSimpleName()
              + " cannot read it: "
              + e.field()
              + ": "
              + e.getMessage());
    }
  }

  private static JsonNode json(String body, List<String> problems) {
    try {
      return PLAIN.readTree(body == null ? "" : body);
    } catch (IOException e) {
      problems.add("not JSON: " + e.getMessage());
      return null;
    }
  }

  /** Checks {@code node} against {@code s}, appending what is wrong, each with its JSON path. */
  @SuppressWarnings("rawtypes")
  public static void validate(Schema<?> s, JsonNode node, String at, List<String> problems) {
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
    if (enumValues != null
        && !enumValues.isEmpty()
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
        } else if (s.getPattern() != null
            && !Pattern.compile(s.getPattern()).matcher(node.asText()).find()) {
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
      default -> {} // no type: anything
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
