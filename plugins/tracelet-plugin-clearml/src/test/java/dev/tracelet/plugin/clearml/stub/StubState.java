package dev.tracelet.plugin.clearml.stub;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The stub's ClearML: projects, tasks with their status machine, hyperparameters, artifacts, scalar
 * events, file-server files and tokens, with the rules of {@code reference/protocols.md} §3. All
 * state is guarded by {@code this}; WireMock calls in from its request threads.
 */
final class StubState {
  static final String MAX_VERSION = "2.31";
  static final int DEFAULT_MAX_REQUEST_BYTES = 15 * 1024 * 1024;
  private static final int MAX_RECORDED_BODY = 1 << 20;
  private static final long MIN_MILLIS_TIMESTAMP = 100_000_000_000L;
  private static final long MAX_SECONDS_TIMESTAMP = 100_000_000_000L;

  private static final Pattern ENDPOINT_PATH =
      Pattern.compile("^/?(v(?<version>\\d+\\.?\\d+)/)?(?<name>[a-zA-Z_]\\w+\\.[a-zA-Z_]\\w+)/?$");

  /** Endpoints and the version each first appeared in. */
  private static final Map<String, String> ENDPOINTS =
      Map.ofEntries(
          Map.entry("auth.login", "2.1"),
          Map.entry("projects.get_all", "2.1"),
          Map.entry("projects.create", "2.1"),
          Map.entry("tasks.create", "2.1"),
          Map.entry("tasks.started", "2.1"),
          Map.entry("tasks.ping", "2.1"),
          Map.entry("tasks.completed", "2.2"),
          Map.entry("tasks.failed", "2.1"),
          Map.entry("tasks.stopped", "2.1"),
          Map.entry("tasks.edit_hyper_params", "2.9"),
          Map.entry("tasks.edit_configuration", "2.9"),
          Map.entry("tasks.add_or_update_artifacts", "2.10"),
          Map.entry("events.add_batch", "2.1"));

  static final Set<String> TASK_TYPES =
      Set.of(
          "training",
          "testing",
          "inference",
          "data_processing",
          "application",
          "monitor",
          "controller",
          "optimizer",
          "service",
          "qc",
          "custom");

  static final Set<String> EVENT_TYPES =
      Set.of(
          "training_stats_scalar", "training_stats_vector", "training_debug_image", "plot", "log");

  /**
   * The transitions the server allows without {@code force} ({@code apiserver/bll/task/utils.py}).
   */
  private static final Map<String, Set<String>> TRANSITIONS =
      Map.of(
          "created", Set.of("queued", "in_progress"),
          "queued", Set.of("created", "in_progress"),
          "in_progress", Set.of("stopped", "failed", "created", "completed"),
          "stopped",
              Set.of(
                  "closed",
                  "created",
                  "failed",
                  "in_progress",
                  "published",
                  "publishing",
                  "completed"),
          "closed", Set.of("created", "failed", "published", "publishing", "stopped"),
          "failed", Set.of("created", "stopped", "published"),
          "publishing", Set.of("published"),
          "published", Set.of(),
          "completed", Set.of("published", "in_progress", "created"));

  /** Identifies a stored event as the server does: task, iteration, metric, variant. */
  record EventKey(String type, long iter, String metric, String variant) {}

  /** A failure to answer instead of handling a call. */
  private record Fault(int status, int subcode, @Nullable String retryAfter) {}

  private final ObjectMapper mapper =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_LONG_FOR_INTS)
          .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
          .build();
  private final String accessKey;
  private final String secretKey;
  private final Clock clock;

  private final Map<String, String> projects = new LinkedHashMap<>();
  private final Map<String, StubTask> tasks = new LinkedHashMap<>();
  private final Map<String, Map<EventKey, JsonNode>> events = new HashMap<>();
  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private final Map<String, Instant> tokens = new HashMap<>();
  private final Set<String> revoked = new HashSet<>();
  private final List<StubCall> calls = new ArrayList<>();
  private final Map<String, Deque<Fault>> faults = new HashMap<>();
  private int ids;
  private int logins;
  private int eventLinesReceived;
  private Duration tokenLifetime = Duration.ofDays(30);
  private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

  StubState(String accessKey, String secretKey, Clock clock) {
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.clock = clock;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  // ---------------------------------------------------------------- API server

  synchronized StubResponse api(StubRequest r) {
    String path = r.path();
    Matcher m = ENDPOINT_PATH.matcher(path);
    if (!m.matches()) {
      return record(
          "api",
          r,
          path,
          Envelope.error(mapper, path, MAX_VERSION, 404, 0, "Invalid request path " + path));
    }
    String endpoint = m.group("name");
    String version = m.group("version") == null ? MAX_VERSION : m.group("version");
    return record("api", r, endpoint, handleApi(r, endpoint, version));
  }

  private StubResponse handleApi(StubRequest r, String endpoint, String version) {
    if (r.header("Content-Encoding") != null) {
      return Envelope.error(mapper, endpoint, version, 415, 0, "Content encoding is not supported");
    }
    if (r.body().length > maxRequestBytes) {
      return Envelope.error(
          mapper, endpoint, version, 413, 0, "Request too large (" + r.body().length + " bytes)");
    }
    String since = ENDPOINTS.get(endpoint);
    if (since == null || compareVersions(version, since) < 0) {
      return Envelope.error(
          mapper,
          endpoint,
          version,
          404,
          0,
          "Unable to find endpoint for name " + endpoint + " and version " + version);
    }
    if (endpoint.equals("auth.login")) {
      return login(r, endpoint, version);
    }
    String auth = r.header("Authorization");
    if (auth == null || !auth.startsWith("Bearer ")) {
      return Envelope.error(
          mapper, endpoint, version, 401, 20, "Unauthorized (missing credentials)");
    }
    if (!validToken(auth.substring("Bearer ".length()))) {
      return Envelope.error(mapper, endpoint, version, 401, 30, "Invalid token");
    }
    Fault fault = nextFault(endpoint);
    if (fault != null) {
      StubResponse e =
          Envelope.error(
              mapper, endpoint, version, fault.status, fault.subcode, "injected failure");
      if (fault.retryAfter == null) {
        return e;
      }
      Map<String, String> headers = new LinkedHashMap<>(e.headers());
      headers.put("Retry-After", fault.retryAfter);
      return new StubResponse(e.status(), e.subcode(), headers, e.body());
    }
    if (endpoint.equals("events.add_batch")) {
      return addBatch(r, endpoint, version);
    }
    String contentType = r.header("Content-Type");
    ObjectNode body;
    if (r.body().length == 0) {
      body = mapper.createObjectNode();
    } else {
      if (contentType == null
          || !contentType.toLowerCase(Locale.ROOT).startsWith("application/json")
          || contentType.toLowerCase(Locale.ROOT).startsWith("application/json-lines")) {
        return Envelope.error(
            mapper, endpoint, version, 400, 12, "Expected a JSON body, got " + contentType);
      }
      try {
        JsonNode parsed = mapper.readTree(r.body());
        if (!(parsed instanceof ObjectNode o)) {
          return Envelope.error(mapper, endpoint, version, 400, 12, "Body must be a JSON object");
        }
        body = o;
      } catch (IOException e) {
        return Envelope.error(
            mapper, endpoint, version, 400, 12, "Invalid JSON: " + e.getMessage());
      }
    }
    for (String pair : r.query().split("&")) {
      if (!pair.isEmpty()) {
        int eq = pair.indexOf('=');
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        body.put(k, v);
      }
    }
    try {
      return switch (endpoint) {
        case "projects.get_all" -> getAllProjects(body, endpoint, version);
        case "projects.create" -> createProject(body, endpoint, version);
        case "tasks.create" -> createTask(body, endpoint, version);
        case "tasks.started" -> changeStatus(body, endpoint, version, "in_progress");
        case "tasks.completed" -> changeStatus(body, endpoint, version, "completed");
        case "tasks.failed" -> changeStatus(body, endpoint, version, "failed");
        case "tasks.stopped" -> changeStatus(body, endpoint, version, "stopped");
        case "tasks.ping" -> ping(body, endpoint, version);
        case "tasks.edit_hyper_params" -> editHyperParams(body, endpoint, version);
        case "tasks.edit_configuration" -> editConfiguration(body, endpoint, version);
        case "tasks.add_or_update_artifacts" -> addArtifacts(body, endpoint, version);
        default -> throw new IllegalStateException("unhandled endpoint " + endpoint);
      };
    } catch (ApiError e) {
      return Envelope.error(mapper, endpoint, version, e.code, e.subcode, e.getMessage(), e.data);
    }
  }

  private StubResponse login(StubRequest r, String endpoint, String version) {
    String auth = r.header("Authorization");
    if (auth == null) {
      return Envelope.error(
          mapper, endpoint, version, 401, 20, "Unauthorized (missing credentials)");
    }
    if (auth.startsWith("Basic ")) {
      String decoded;
      try {
        decoded =
            new String(
                Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Envelope.error(mapper, endpoint, version, 401, 21, "Bad credentials");
      }
      if (!decoded.equals(accessKey + ":" + secretKey)) {
        return Envelope.error(
            mapper, endpoint, version, 401, 21, "Invalid access key or secret key");
      }
    } else if (auth.startsWith("Bearer ")) {
      if (!validToken(auth.substring(7))) {
        return Envelope.error(mapper, endpoint, version, 401, 30, "Invalid token");
      }
    } else {
      return Envelope.error(mapper, endpoint, version, 401, 10, "Bad authentication type");
    }
    logins++;
    ObjectNode data = mapper.createObjectNode();
    data.put("token", issueToken());
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private String issueToken() {
    Instant now = clock.instant();
    Instant exp = now.plus(tokenLifetime);
    ObjectNode claims = mapper.createObjectNode();
    claims.put("iat", now.getEpochSecond());
    claims.put("exp", exp.getEpochSecond());
    claims.put("api_version", MAX_VERSION);
    claims.put("server_version", "2.0.0-stub");
    claims.putObject("identity").put("user", "tracelet-stub-user").put("company", "stub");
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String token =
        b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "."
            + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8))
            + "."
            + UUID.randomUUID().toString().replace("-", "");
    tokens.put(token, exp);
    return token;
  }

  private boolean validToken(String token) {
    Instant exp = tokens.get(token.strip());
    return exp != null && !revoked.contains(token.strip()) && clock.instant().isBefore(exp);
  }

  private StubResponse getAllProjects(ObjectNode body, String endpoint, String version) {
    Pattern name = null;
    if (body.hasNonNull("name")) {
      try {
        name = Pattern.compile(body.get("name").asText());
      } catch (PatternSyntaxException e) {
        throw new ApiError(400, 12, "Invalid regular expression in name: " + e.getDescription());
      }
    }
    ObjectNode data = mapper.createObjectNode();
    ArrayNode list = data.putArray("projects");
    for (Map.Entry<String, String> p : projects.entrySet()) {
      // The server hands the name to MongoDB as $regex: a search, not a full match.
      if (name == null || name.matcher(p.getValue()).find()) {
        list.addObject().put("id", p.getKey()).put("name", p.getValue());
      }
    }
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private StubResponse createProject(ObjectNode body, String endpoint, String version) {
    String name = required(body, "name");
    if (name.isBlank()) {
      throw new ApiError(400, 407, "Invalid project name");
    }
    if (projects.containsValue(name)) {
      throw new ApiError(400, 801, "Value combination already exists (unique field): name=" + name);
    }
    String id = newId();
    projects.put(id, name);
    ObjectNode data = mapper.createObjectNode();
    data.put("id", id);
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private StubResponse createTask(ObjectNode body, String endpoint, String version) {
    String name = required(body, "name");
    String type = required(body, "type");
    if (!TASK_TYPES.contains(type)) {
      throw new ApiError(
          400, 12, "Validation error: type '" + type + "' is not one of " + TASK_TYPES);
    }
    String project = body.path("project").asText("");
    if (!project.isEmpty() && !projects.containsKey(project)) {
      throw new ApiError(400, 401, "Invalid project id: " + project);
    }
    List<String> tags = new ArrayList<>();
    body.path("tags").forEach(t -> tags.add(t.asText()));
    StubTask task = new StubTask(newId(), name, type, project, tags);
    JsonNode hyperparams = body.path("hyperparams");
    if (!hyperparams.isMissingNode() && !hyperparams.isObject()) {
      throw new ApiError(400, 12, "Validation error: hyperparams must be an object of sections");
    }
    hyperparams
        .fields()
        .forEachRemaining(
            section -> {
              if (!section.getValue().isObject()) {
                throw new ApiError(400, 12, "Validation error: section " + section.getKey());
              }
              section
                  .getValue()
                  .fields()
                  .forEachRemaining(
                      item -> {
                        ObjectNode p = requireParamsItem(item.getValue());
                        p.put("section", section.getKey());
                        p.put("name", item.getKey());
                        task.hyperparams
                            .computeIfAbsent(section.getKey(), s -> new LinkedHashMap<>())
                            .put(item.getKey(), p);
                      });
            });
    tasks.put(task.id, task);
    ObjectNode data = mapper.createObjectNode();
    data.put("id", task.id);
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private ObjectNode requireParamsItem(JsonNode item) {
    if (!(item instanceof ObjectNode o)) {
      throw new ApiError(400, 12, "Validation error: a params_item must be an object");
    }
    JsonNode value = o.get("value");
    if (value != null && !value.isTextual() && !value.isNull()) {
      throw new ApiError(
          400,
          12,
          "Validation error: params_item value must be a string, got " + value.getNodeType());
    }
    return o.deepCopy();
  }

  private StubResponse changeStatus(
      ObjectNode body, String endpoint, String version, String newStatus) {
    StubTask task = task(body);
    boolean force = body.path("force").asBoolean(false);
    String current = task.status;
    if (!force) {
      boolean allowed =
          switch (newStatus) {
            // A task starts once, unless forced.
            case "in_progress" -> current.equals("created") || current.equals("queued");
            case "completed" -> current.equals("in_progress") || current.equals("stopped");
            default -> current.equals(newStatus) || TRANSITIONS.get(current).contains(newStatus);
          };
      if (!allowed) {
        throw new ApiError(
            400,
            110,
            "Invalid task status: current_status=" + current + ", new_status=" + newStatus,
            Map.of("current_status", current, "new_status", newStatus));
      }
    }
    task.setStatus(newStatus);
    task.statusReason = body.path("status_reason").asText("");
    task.statusMessage = body.path("status_message").asText("");
    ObjectNode data = mapper.createObjectNode();
    data.put("updated", 1);
    data.putObject("fields").put("status", newStatus);
    if (newStatus.equals("in_progress")) {
      data.put("started", 1);
    }
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private StubResponse ping(ObjectNode body, String endpoint, String version) {
    task(body).pings++;
    return Envelope.ok(mapper, endpoint, version, mapper.createObjectNode());
  }

  private StubResponse editHyperParams(ObjectNode body, String endpoint, String version) {
    StubTask task = task(body);
    JsonNode items = body.get("hyperparams");
    if (items == null || !items.isArray()) {
      throw new ApiError(400, 11, "Missing required fields: hyperparams");
    }
    List<ObjectNode> parsed = new ArrayList<>();
    boolean propertiesOnly = true;
    for (JsonNode item : items) {
      ObjectNode p = requireParamsItem(item);
      if (!p.hasNonNull("section") || !p.hasNonNull("name")) {
        throw new ApiError(400, 11, "Missing required fields: section and name of a params_item");
      }
      if (p.get("section").asText().equalsIgnoreCase("properties")) {
        p.put("section", "properties");
      } else {
        propertiesOnly = false;
      }
      parsed.add(p);
    }
    // Only user properties may change in any status (apiserver/bll/task/hyperparams.py).
    if (!propertiesOnly) {
      requireEditable(task, body.path("force").asBoolean(false));
    }
    String replace = body.path("replace_hyperparams").asText("none");
    if (replace.equals("all")) {
      task.hyperparams.clear();
    }
    Set<String> cleared = new HashSet<>();
    for (ObjectNode p : parsed) {
      String section = p.get("section").asText();
      if (replace.equals("section") && cleared.add(section)) {
        task.hyperparams.remove(section);
      }
      task.hyperparams
          .computeIfAbsent(section, s -> new LinkedHashMap<>())
          .put(p.get("name").asText(), p);
    }
    ObjectNode data = mapper.createObjectNode();
    data.put("updated", 1);
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private StubResponse editConfiguration(ObjectNode body, String endpoint, String version) {
    StubTask task = task(body);
    JsonNode items = body.get("configuration");
    if (items == null || !items.isArray()) {
      throw new ApiError(400, 11, "Missing required fields: configuration");
    }
    items.forEach(this::requireParamsItem);
    requireEditable(task, body.path("force").asBoolean(false));
    ObjectNode data = mapper.createObjectNode();
    data.put("updated", 1);
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private StubResponse addArtifacts(ObjectNode body, String endpoint, String version) {
    StubTask task = task(body);
    JsonNode artifacts = body.get("artifacts");
    if (artifacts == null || !artifacts.isArray()) {
      throw new ApiError(400, 11, "Missing required fields: artifacts");
    }
    for (JsonNode a : artifacts) {
      if (!a.hasNonNull("key") || !a.hasNonNull("type")) {
        throw new ApiError(400, 11, "Missing required fields: key and type of an artifact");
      }
      JsonNode ts = a.get("timestamp");
      if (ts != null && (!ts.canConvertToLong() || ts.asLong() >= MAX_SECONDS_TIMESTAMP)) {
        throw new ApiError(
            400, 12, "Validation error: artifact timestamp " + ts + " is not in epoch seconds");
      }
      String mode = a.path("mode").asText("output");
      if (!mode.equals("output") && !mode.equals("input")) {
        throw new ApiError(400, 12, "Validation error: artifact mode " + mode);
      }
    }
    requireEditable(task, body.path("force").asBoolean(false));
    for (JsonNode a : artifacts) {
      task.artifacts.put(
          a.get("key").asText() + "/" + a.path("mode").asText("output"), a.deepCopy());
    }
    ObjectNode data = mapper.createObjectNode();
    data.put("updated", 1);
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private static void requireEditable(StubTask task, boolean force) {
    boolean ok = task.status.equals("created") || (force && task.status.equals("in_progress"));
    if (!ok) {
      throw new ApiError(
          400,
          110,
          "Invalid task status: expected=created, status="
              + task.status
              + (force ? "" : " (no force)"),
          Map.of("expected", "created", "status", task.status));
    }
  }

  private StubResponse addBatch(StubRequest r, String endpoint, String version) {
    String contentType = r.header("Content-Type");
    if (!"application/json-lines".equals(contentType)) {
      // The server compares the type verbatim and otherwise parses the body as one document.
      return Envelope.error(
          mapper,
          endpoint,
          version,
          400,
          12,
          "Invalid JSON body (Content-Type " + contentType + " is not application/json-lines)");
    }
    String text = new String(r.body(), StandardCharsets.UTF_8);
    List<JsonNode> parsed = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        if (i == lines.length - 1) {
          continue;
        }
        return Envelope.error(mapper, endpoint, version, 400, 12, "Empty line " + (i + 1));
      }
      try {
        parsed.add(mapper.readTree(line));
      } catch (IOException e) {
        return Envelope.error(
            mapper,
            endpoint,
            version,
            400,
            12,
            "Invalid JSON in line " + (i + 1) + ": " + e.getMessage());
      }
    }
    eventLinesReceived += parsed.size();
    Map<String, Integer> errors = new LinkedHashMap<>();
    int added = 0;
    for (JsonNode event : parsed) {
      String error = validateEvent(event);
      if (error != null) {
        errors.merge(error, 1, Integer::sum);
        continue;
      }
      String type = event.get("type").asText();
      EventKey key =
          new EventKey(
              type,
              event.path("iter").asLong(0),
              event.path("metric").asText(""),
              event.path("variant").asText(""));
      // Same id, same document: a repeated event overwrites instead of adding a duplicate.
      events
          .computeIfAbsent(event.get("task").asText(), t -> new LinkedHashMap<>())
          .put(key, event);
      added++;
    }
    if (added == 0) {
      return Envelope.error(mapper, endpoint, version, 400, 131, "Events not added", errors);
    }
    ObjectNode data = mapper.createObjectNode();
    data.put("added", added);
    data.put("errors", errors.values().stream().mapToInt(Integer::intValue).sum());
    ObjectNode info = data.putObject("errors_info");
    errors.forEach(info::put);
    return Envelope.ok(mapper, endpoint, version, data);
  }

  private @Nullable String validateEvent(JsonNode event) {
    if (!event.isObject()) {
      return "Event must be an object";
    }
    if (!event.hasNonNull("type")) {
      return "Event must have a 'type' field";
    }
    if (!EVENT_TYPES.contains(event.get("type").asText())) {
      return "Invalid event type " + event.get("type").asText();
    }
    if (!event.hasNonNull("task")) {
      return "Event must have a 'task' field";
    }
    StubTask task = tasks.get(event.get("task").asText());
    if (task == null || task.status.equals("published")) {
      return "Invalid task id";
    }
    JsonNode iter = event.get("iter");
    if (iter != null && !(iter.isIntegralNumber() && iter.canConvertToLong())) {
      return "Iteration must be an integer that fits 64 bits";
    }
    JsonNode ts = event.get("timestamp");
    if (ts != null && (!ts.isNumber() || ts.asLong() < MIN_MILLIS_TIMESTAMP)) {
      return "timestamp must be epoch milliseconds";
    }
    if (event.get("type").asText().equals("training_stats_scalar")
        && !(event.has("value") && event.get("value").isNumber())) {
      return "Scalar event must have a numeric 'value'";
    }
    return null;
  }

  private StubTask task(ObjectNode body) {
    String id = required(body, "task");
    StubTask task = tasks.get(id);
    if (task == null) {
      throw new ApiError(400, 101, "Invalid task id: id=" + id);
    }
    return task;
  }

  private static String required(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      throw new ApiError(400, 11, "Missing required fields: " + field);
    }
    if (!v.isTextual()) {
      throw new ApiError(400, 12, "Validation error: " + field + " must be a string");
    }
    return v.asText();
  }

  private String newId() {
    // Real ids are 32 hex digits; counting keeps golden files stable.
    return String.format(Locale.ROOT, "%032x", ++ids);
  }

  // ---------------------------------------------------------------- file server

  synchronized StubResponse files(StubRequest r) {
    String method = r.method();
    String endpoint =
        method.equals("POST") ? "upload" : method.equals("GET") ? "download" : r.path();
    return record("files", r, endpoint, handleFiles(r));
  }

  private StubResponse handleFiles(StubRequest r) {
    if (r.header("Content-Encoding") != null) {
      return plain(415, "Content encoding is not supported");
    }
    String auth = r.header("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || !validToken(auth.substring(7))) {
      return plain(401, "Unauthorized");
    }
    Fault fault = nextFault("files." + (r.method().equals("POST") ? "upload" : "download"));
    if (fault != null) {
      return plain(fault.status, "injected failure");
    }
    if (r.method().equals("POST")) {
      if (!r.path().equals("/")) {
        return plain(405, "Method not allowed");
      }
      String contentType = r.header("Content-Type");
      if (contentType == null || !contentType.startsWith("multipart/form-data")) {
        return plain(400, "Expected multipart/form-data, got " + contentType);
      }
      List<String> stored = new ArrayList<>();
      for (StubRequest.Part part : r.parts()) {
        String path = part.name();
        if (path.isEmpty()
            || path.startsWith("/")
            || path.contains("\\")
            || List.of(path.split("/", -1)).stream()
                .anyMatch(s -> s.isEmpty() || s.equals(".") || s.equals(".."))) {
          return plain(400, "Invalid file path " + path);
        }
        stored.add(path);
      }
      if (stored.isEmpty()) {
        return plain(400, "No files in the upload");
      }
      for (StubRequest.Part part : r.parts()) {
        files.put(part.name(), part.body().clone());
      }
      try {
        return StubResponse.of(200, 0, "application/json", mapper.writeValueAsBytes(stored));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    if (r.method().equals("GET")) {
      String path = URI.create(r.path()).getPath();
      byte[] content = files.get(path.startsWith("/") ? path.substring(1) : path);
      return content == null
          ? plain(404, "Not found")
          : StubResponse.of(200, 0, "application/octet-stream", content.clone());
    }
    return plain(405, "Method not allowed");
  }

  private static StubResponse plain(int status, String message) {
    return StubResponse.of(
        status, 0, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
  }

  // ---------------------------------------------------------------- recording and control

  private StubResponse record(
      String server, StubRequest r, String endpoint, StubResponse response) {
    String auth = r.header("Authorization");
    String scheme =
        auth == null ? "" : auth.contains(" ") ? auth.substring(0, auth.indexOf(' ')) : auth;
    String body;
    if (!r.parts().isEmpty()) {
      StringBuilder b = new StringBuilder();
      r.parts()
          .forEach(
              p -> b.append(p.name()).append(" (").append(p.body().length).append(" bytes)\n"));
      body = b.toString();
    } else {
      body =
          new String(
              r.body(), 0, Math.min(r.body().length, MAX_RECORDED_BODY), StandardCharsets.UTF_8);
    }
    String contentType = r.header("Content-Type");
    calls.add(
        new StubCall(
            server,
            r.method(),
            r.path(),
            endpoint,
            contentType == null ? "" : contentType,
            scheme,
            body,
            response.status(),
            response.subcode()));
    return response;
  }

  private @Nullable Fault nextFault(String endpoint) {
    Deque<Fault> queue = faults.get(endpoint);
    Fault f = queue == null ? null : queue.poll();
    // Status 0 marks a call let through before the failures.
    return f == null || f.status == 0 ? null : f;
  }

  synchronized void failNext(
      String endpoint,
      int passing,
      int status,
      int subcode,
      @Nullable String retryAfter,
      int times) {
    Deque<Fault> queue = faults.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
    for (int i = 0; i < passing; i++) {
      queue.add(new Fault(0, 0, null));
    }
    for (int i = 0; i < times; i++) {
      queue.add(new Fault(status, subcode, retryAfter));
    }
  }

  synchronized void setStatus(String taskId, String status) {
    StubTask t = tasks.get(taskId);
    if (t == null) {
      throw new IllegalArgumentException("no task " + taskId);
    }
    t.setStatus(status);
  }

  synchronized void revokeTokens() {
    revoked.addAll(tokens.keySet());
  }

  synchronized void tokenLifetime(Duration d) {
    tokenLifetime = d;
  }

  synchronized void maxRequestBytes(int n) {
    maxRequestBytes = n;
  }

  synchronized Map<String, String> projects() {
    return Map.copyOf(projects);
  }

  synchronized List<StubTask> tasks() {
    return tasks.values().stream().map(StubTask::snapshot).toList();
  }

  synchronized @Nullable StubTask task(String id) {
    StubTask t = tasks.get(id);
    return t == null ? null : t.snapshot();
  }

  synchronized List<JsonNode> events(String taskId) {
    return List.copyOf(events.getOrDefault(taskId, Map.of()).values());
  }

  synchronized Map<String, byte[]> files() {
    Map<String, byte[]> copy = new LinkedHashMap<>();
    files.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  synchronized List<StubCall> calls() {
    return List.copyOf(calls);
  }

  synchronized int logins() {
    return logins;
  }

  synchronized int eventLinesReceived() {
    return eventLinesReceived;
  }

  /** A JSON summary of everything received, for scripts: {@code GET /_stub/summary}. */
  synchronized ObjectNode summary() {
    ObjectNode root = mapper.createObjectNode();
    ArrayNode ps = root.putArray("projects");
    projects.forEach((id, name) -> ps.addObject().put("id", id).put("name", name));
    ArrayNode ts = root.putArray("tasks");
    for (StubTask t : tasks.values()) {
      ObjectNode o = ts.addObject();
      o.put("id", t.id).put("name", t.name).put("type", t.type).put("project", t.projectId);
      o.put("status", t.status).put("status_reason", t.statusReason).put("pings", t.pings);
      ArrayNode history = o.putArray("status_history");
      t.statusHistory.forEach(history::add);
      ArrayNode tags = o.putArray("tags");
      t.tags.forEach(tags::add);
      ObjectNode hp = o.putObject("hyperparams");
      t.hyperparams.forEach(
          (section, items) -> {
            ObjectNode s = hp.putObject(section);
            items.forEach((name, item) -> s.put(name, item.path("value").asText()));
          });
      ObjectNode scalars = o.putObject("scalars");
      for (JsonNode e : events.getOrDefault(t.id, Map.of()).values()) {
        if (e.path("type").asText().equals("training_stats_scalar")) {
          String plot = e.path("metric").asText() + "/" + e.path("variant").asText();
          scalars.put(plot, scalars.path(plot).asInt(0) + 1);
        }
      }
      ArrayNode artifacts = o.putArray("artifacts");
      t.artifacts.values().forEach(artifacts::add);
    }
    ArrayNode fs = root.putArray("files");
    files.forEach((path, bytes) -> fs.addObject().put("path", path).put("size", bytes.length));
    root.put("logins", logins);
    root.put("calls", calls.size());
    return root;
  }

  private static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int xi = i < x.length ? Integer.parseInt(x[i]) : 0;
      int yi = i < y.length ? Integer.parseInt(y[i]) : 0;
      if (xi != yi) {
        return Integer.compare(xi, yi);
      }
    }
    return 0;
  }

  /** An error answer, thrown from deep inside a handler. */
  private static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;
    final int subcode;
    final transient Map<String, ?> data;

    ApiError(int code, int subcode, String message) {
      this(code, subcode, message, Map.of());
    }

    ApiError(int code, int subcode, String message, Map<String, ?> data) {
      super(message);
      this.code = code;
      this.subcode = subcode;
      this.data = data;
    }
  }
}
