package dev.tracelet.plugin.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A WireMock MLflow server that rejects what MLflow rejects (reference/protocols.md §1.10) and a
 * little more: it keeps experiments, runs, params, metric points, tags and artifacts in memory,
 * counts requests per endpoint, and can be told to fail the next requests of an endpoint. Writes to
 * a run that was ended are refused too: MLflow would take them, but a session must never send any.
 */
final class StrictMlflowStub implements ResponseDefinitionTransformerV2 {
  static final int MAX_BODY = 1_000_000;
  private static final Pattern KEY =
      Pattern.compile("[/\\w.\\- ]*", Pattern.UNICODE_CHARACTER_CLASS);
  private static final Set<String> STATUSES =
      Set.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");

  /** Strict JSON: bare NaN/Infinity tokens are a parse error, as for protobuf's parser. */
  private final ObjectMapper json =
      JsonMapper.builder().disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  final WireMockServer server;
  final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  final Map<String, String> experiments = new ConcurrentHashMap<>();
  final Map<String, Run> runs = new ConcurrentHashMap<>();
  final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
  final List<String> authorizations = new ArrayList<>();
  private final Map<String, List<Integer>> failures = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  /** When set, the next experiments/create loses a race: the experiment appears, 400 answers. */
  volatile boolean loseNextCreateRace;

  static final class Run {
    final String id;
    final String experimentId;
    String status = "RUNNING";
    long endTime;
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, String> tags = new LinkedHashMap<>();
    final List<JsonNode> metrics = new ArrayList<>();

    Run(String id, String experimentId) {
      this.id = id;
      this.experimentId = experimentId;
    }
  }

  StrictMlflowStub() {
    server =
        new WireMockServer(
            wireMockConfig()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .disableRequestJournal()
                .gzipDisabled(true)
                .extensions(this));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(ok()));
  }

  String uri() {
    return "http://127.0.0.1:" + server.port();
  }

  void shutdown() {
    server.stop();
  }

  int count(String endpoint) {
    return requests.getOrDefault(endpoint, new AtomicInteger()).get();
  }

  /** The next requests to {@code endpoint} answer these statuses, one each. */
  synchronized void failNext(String endpoint, Integer... statuses) {
    failures.computeIfAbsent(endpoint, k -> new ArrayList<>()).addAll(List.of(statuses));
  }

  /** Lets {@code skip} requests to {@code endpoint} through, then fails the next ones. */
  synchronized void failNextAfter(String endpoint, int skip, Integer... statuses) {
    List<Integer> f = failures.computeIfAbsent(endpoint, k -> new ArrayList<>());
    for (int i = 0; i < skip; i++) {
      f.add(0);
    }
    f.addAll(List.of(statuses));
  }

  @Override
  public String getName() {
    return "strict-mlflow";
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    Request req = event.getRequest();
    URI uri = URI.create(req.getUrl());
    String path = uri.getRawPath();
    synchronized (this) {
      authorizations.add(req.getHeader("Authorization"));
    }
    if (path.startsWith("/api/2.0/mlflow-artifacts/artifacts/")) {
      return artifact(req, path.substring("/api/2.0/mlflow-artifacts/artifacts/".length()));
    }
    if (!path.startsWith("/api/2.0/mlflow/")) {
      return error(404, "ENDPOINT_NOT_FOUND", "no such endpoint " + path);
    }
    String endpoint = path.substring("/api/2.0/mlflow/".length());
    requests.computeIfAbsent(endpoint, k -> new AtomicInteger()).incrementAndGet();
    synchronized (this) {
      List<Integer> f = failures.get(endpoint);
      if (f != null && !f.isEmpty()) {
        int status = f.remove(0);
        if (status != 0) {
          return error(
              status, status == 503 ? "TEMPORARILY_UNAVAILABLE" : "INJECTED", "injected failure");
        }
      }
    }
    try {
      synchronized (this) {
        return handle(req, endpoint, query(uri.getRawQuery()));
      }
    } catch (Reject r) {
      return error(r.status, r.code, r.getMessage());
    }
  }

  private ResponseDefinition handle(Request req, String endpoint, Map<String, String> q)
      throws Reject {
    String method = req.getMethod().getName();
    ObjectNode body = null;
    if (!method.equals("GET")) {
      String type = req.getHeader("Content-Type");
      if (type == null || !type.split(";")[0].strip().equals("application/json")) {
        throw new Reject(
            400, "INVALID_PARAMETER_VALUE", "Content-Type must be application/json, was " + type);
      }
      try {
        JsonNode n = json.readTree(req.getBody());
        if (!(n instanceof ObjectNode o)) {
          throw new Reject(400, "BAD_REQUEST", "body is not a JSON object");
        }
        body = o;
      } catch (java.io.IOException e) {
        throw new Reject(400, "BAD_REQUEST", "malformed JSON: " + e.getMessage());
      }
    } else if (req.getBody() != null && req.getBody().length > 0) {
      throw new Reject(400, "BAD_REQUEST", "GET with a body");
    }
    return switch (method + " " + endpoint) {
      case "GET experiments/get-by-name" -> {
        String name = required(q, "experiment_name");
        String id = experiments.get(name);
        if (id == null) {
          throw new Reject(
              404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment with name '" + name + "'");
        }
        yield okJson(experiment(id, name));
      }
      case "POST experiments/create" -> {
        String name = text(body, "name");
        if (name.isEmpty() || name.length() > 500) {
          throw new Reject(400, "INVALID_PARAMETER_VALUE", "bad experiment name");
        }
        if (loseNextCreateRace) {
          loseNextCreateRace = false;
          experiments.put(name, String.valueOf(ids.incrementAndGet()));
        }
        if (experiments.containsKey(name)) {
          throw new Reject(
              400, "RESOURCE_ALREADY_EXISTS", "Experiment '" + name + "' already exists.");
        }
        String id = String.valueOf(ids.incrementAndGet());
        experiments.put(name, id);
        yield okJson(json.createObjectNode().put("experiment_id", id));
      }
      case "POST runs/create" -> {
        String exp = text(body, "experiment_id");
        if (!experiments.containsValue(exp)) {
          throw new Reject(404, "RESOURCE_DOES_NOT_EXIST", "no experiment " + exp);
        }
        requireMillis(body.path("start_time"), "start_time");
        String id = String.format("%032x", ids.incrementAndGet());
        Run run = new Run(id, exp);
        for (JsonNode t : body.path("tags")) {
          checkKey(t.path("key").asText());
          run.tags.put(t.path("key").asText(), t.path("value").asText());
        }
        runs.put(id, run);
        yield okJson(json.createObjectNode().set("run", runJson(run)));
      }
      case "GET runs/get" ->
          okJson(json.createObjectNode().set("run", runJson(run(required(q, "run_id")))));
      case "POST runs/update" -> {
        Run run = run(text(body, "run_id"));
        String status = body.path("status").isTextual() ? body.path("status").asText() : "";
        if (!STATUSES.contains(status)) {
          throw new Reject(400, "INVALID_PARAMETER_VALUE", "bad status " + body.path("status"));
        }
        if (body.has("end_time")) {
          run.endTime = requireMillis(body.path("end_time"), "end_time");
        }
        run.status = status;
        yield okJson(json.createObjectNode());
      }
      case "POST runs/log-batch" -> {
        if (req.getBody().length > MAX_BODY) {
          throw new Reject(
              400, "INVALID_PARAMETER_VALUE", "batch body " + req.getBody().length + " > 1 MB");
        }
        logBatch(body);
        yield okJson(json.createObjectNode());
      }
      default ->
          throw new Reject(404, "ENDPOINT_NOT_FOUND", method + " " + endpoint + " is not stubbed");
    };
  }

  private void logBatch(ObjectNode body) throws Reject {
    Run run = run(text(body, "run_id"));
    if (!run.status.equals("RUNNING")) {
      throw new Reject(
          400,
          "INVALID_STATE",
          "run " + run.id + " is " + run.status + "; nothing may be logged to it");
    }
    JsonNode metrics = body.path("metrics");
    JsonNode params = body.path("params");
    JsonNode tags = body.path("tags");
    if (metrics.size() > 1000
        || params.size() > 100
        || tags.size() > 100
        || metrics.size() + params.size() + tags.size() > 1000) {
      throw new Reject(
          400,
          "INVALID_PARAMETER_VALUE",
          "too many entities: "
              + metrics.size()
              + " metrics, "
              + params.size()
              + " params, "
              + tags.size()
              + " tags");
    }
    Map<String, String> newParams = new HashMap<>();
    for (JsonNode p : params) {
      String key = p.path("key").asText();
      checkKey(key);
      String value = p.path("value").asText();
      if (value.codePointCount(0, value.length()) > 6000) {
        throw new Reject(400, "INVALID_PARAMETER_VALUE", "param value too long");
      }
      if (newParams.put(key, value) != null) {
        throw new Reject(
            400, "INVALID_PARAMETER_VALUE", "Duplicate parameter keys have been submitted");
      }
      String old = run.params.get(key);
      if (old != null && !old.equals(value)) {
        throw new Reject(
            400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed: " + key);
      }
    }
    for (JsonNode t : tags) {
      checkKey(t.path("key").asText());
      String value = t.path("value").asText();
      if (value.codePointCount(0, value.length()) > 5000) {
        throw new Reject(400, "INVALID_PARAMETER_VALUE", "tag value too long");
      }
    }
    for (JsonNode m : metrics) {
      checkKey(m.path("key").asText());
      JsonNode v = m.path("value");
      boolean ok =
          v.isNumber()
              || (v.isTextual() && Set.of("NaN", "Infinity", "-Infinity").contains(v.asText()));
      if (!ok) {
        throw new Reject(400, "INVALID_PARAMETER_VALUE", "bad metric value " + v);
      }
      requireMillis(m.path("timestamp"), "timestamp");
      if (m.has("step") && !m.path("step").isIntegralNumber()) {
        throw new Reject(400, "INVALID_PARAMETER_VALUE", "bad step " + m.path("step"));
      }
    }
    run.params.putAll(newParams);
    tags.forEach(t -> run.tags.put(t.path("key").asText(), t.path("value").asText()));
    metrics.forEach(run.metrics::add);
  }

  private ResponseDefinition artifact(Request req, String rawPath) {
    requests
        .computeIfAbsent("artifacts:" + req.getMethod().getName(), k -> new AtomicInteger())
        .incrementAndGet();
    String path = URLDecoder.decode(rawPath, StandardCharsets.UTF_8);
    String[] parts = path.split("/", 4);
    boolean safe =
        !path.contains("..")
            && !path.startsWith("/")
            && parts.length == 4
            && runs.containsKey(parts[1])
            && runs.get(parts[1]).experimentId.equals(parts[0])
            && parts[2].equals("artifacts");
    if (!safe) {
      return error(400, "INVALID_PARAMETER_VALUE", "Invalid path " + path);
    }
    if (req.getMethod().getName().equals("PUT")) {
      artifacts.put(parts[3], req.getBody());
      return new ResponseDefinition(200, "");
    }
    byte[] b = artifacts.get(parts[3]);
    return b == null
        ? error(404, "RESOURCE_DOES_NOT_EXIST", "no artifact")
        : new ResponseDefinition(200, b);
  }

  private static void checkKey(String key) throws Reject {
    boolean normal =
        !key.isEmpty()
            && !key.startsWith("/")
            && !key.startsWith("..")
            && !key.equals(".")
            && !key.contains("//")
            && !key.endsWith("/")
            && !key.contains("/./")
            && !key.startsWith("./")
            && !key.contains("/../")
            && !key.endsWith("/..")
            && !key.endsWith("/.");
    if (!normal || key.length() > 250 || !KEY.matcher(key).matches()) {
      throw new Reject(400, "INVALID_PARAMETER_VALUE", "Invalid key '" + key + "'");
    }
  }

  private static long requireMillis(JsonNode n, String what) throws Reject {
    long v =
        n.isIntegralNumber()
            ? n.asLong()
            : n.isTextual() && n.asText().matches("\\d+") ? Long.parseLong(n.asText()) : -1;
    if (v < 100_000_000_000L) {
      throw new Reject(
          400, "INVALID_PARAMETER_VALUE", what + " must be epoch milliseconds, was " + n);
    }
    return v;
  }

  private Run run(String id) throws Reject {
    Run run = runs.get(id);
    if (run == null) {
      throw new Reject(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + id + "' not found");
    }
    return run;
  }

  private ObjectNode runJson(Run run) {
    ObjectNode r = json.createObjectNode();
    ObjectNode info = r.putObject("info");
    info.put("run_id", run.id)
        .put("run_uuid", run.id)
        .put("experiment_id", run.experimentId)
        .put("status", run.status)
        .put("start_time", 1_700_000_000_000L)
        .put("artifact_uri", "mlflow-artifacts:/" + run.experimentId + "/" + run.id + "/artifacts")
        .put("lifecycle_stage", "active");
    if (run.endTime > 0) {
      info.put("end_time", run.endTime);
    }
    ArrayNode tags = r.putObject("data").putArray("tags");
    run.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
    return r;
  }

  private ObjectNode experiment(String id, String name) {
    ObjectNode o = json.createObjectNode();
    o.putObject("experiment")
        .put("experiment_id", id)
        .put("name", name)
        .put("lifecycle_stage", "active");
    return o;
  }

  private static String text(ObjectNode body, String field) throws Reject {
    JsonNode n = body.path(field);
    if (!n.isTextual() || n.asText().isEmpty()) {
      throw new Reject(
          400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter '" + field + "'");
    }
    return n.asText();
  }

  private static String required(Map<String, String> q, String field) throws Reject {
    String v = q.get(field);
    if (v == null || v.isEmpty()) {
      throw new Reject(
          400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter '" + field + "'");
    }
    return v;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      out.put(
          URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private ResponseDefinition okJson(JsonNode n) {
    return new ResponseDefinition(200, n.toString());
  }

  private ResponseDefinition error(int status, String code, String message) {
    return new ResponseDefinition(
        status, json.createObjectNode().put("error_code", code).put("message", message).toString());
  }

  private static final class Reject extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    Reject(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }
}
