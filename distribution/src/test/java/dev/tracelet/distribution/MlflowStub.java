package dev.tracelet.distribution;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal MLflow tracking server on WireMock: the REST calls the MLflow plugin makes to create,
 * find, resume and end a run and to log batches, and nothing else (any other call answers 404 and
 * is recorded in {@link #unexpected}). It keeps every metric row it is sent, duplicates included,
 * so a test sees exactly what was delivered.
 *
 * <p>It can hold the response to one {@code runs/log-batch} request: the batch is stored, then the
 * answer waits until {@link #release()} — a request in flight whose sender can be killed before it
 * learns that the server took it.
 */
final class MlflowStub implements ResponseDefinitionTransformerV2, AutoCloseable {
  private static final Pattern TAG_FILTER = Pattern.compile("tags\\.`([^`]+)`\\s*=\\s*'([^']*)'");

  private final ObjectMapper json = new ObjectMapper();
  private final WireMockServer server;
  private final Map<String, String> experiments = new HashMap<>();
  private final Map<String, Run> runs = new LinkedHashMap<>();
  private int ids;

  /** Calls the stub does not implement, as "METHOD endpoint". */
  final List<String> unexpected = new CopyOnWriteArrayList<>();

  /** The metric rows of each log-batch request that carried metrics, in arrival order. */
  private final List<List<Row>> metricBatches = new ArrayList<>();

  private volatile int holdAt;
  private final CountDownLatch held = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  /** One metric row as MLflow stores it. */
  record Row(String key, double value, long timestamp, long step) {}

  /** A run as it stood when asked for. */
  record RunSnapshot(String id, String status, Map<String, String> params, List<Row> metrics) {}

  private static final class Run {
    final String id;
    final String experimentId;
    String status = "RUNNING";
    final Map<String, String> tags = new LinkedHashMap<>();
    final Map<String, String> params = new LinkedHashMap<>();
    final List<Row> metrics = new ArrayList<>();

    Run(String id, String experimentId) {
      this.id = id;
      this.experimentId = experimentId;
    }
  }

  MlflowStub() {
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

  /**
   * Holds the answer to the {@code n}-th log-batch request that carries metrics (counting from 1),
   * after storing its rows, until {@link #release()}.
   */
  void holdMetricBatch(int n) {
    holdAt = n;
  }

  /** Waits until the held request has arrived; false when the guard passed first. */
  boolean awaitHeld(Duration guard) throws InterruptedException {
    return held.await(guard.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Answers the held request (to whoever still listens) and holds nothing more. */
  void release() {
    holdAt = 0;
    released.countDown();
  }

  /** Log-batch requests with metrics received so far. */
  synchronized int metricBatchCount() {
    return metricBatches.size();
  }

  /** The rows of the {@code n}-th log-batch request with metrics (counting from 1). */
  synchronized List<Row> metricBatch(int n) {
    return List.copyOf(metricBatches.get(n - 1));
  }

  /** Snapshots of the runs tagged with this Tracelet run id. */
  synchronized List<RunSnapshot> runsOf(String traceletRunId) {
    return runs.values().stream()
        .filter(r -> traceletRunId.equals(r.tags.get("tracelet.run_id")))
        .map(r -> new RunSnapshot(r.id, r.status, Map.copyOf(r.params), List.copyOf(r.metrics)))
        .toList();
  }

  @Override
  public void close() {
    release();
    server.stop();
  }

  @Override
  public String getName() {
    return "minimal-mlflow";
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    Request req = event.getRequest();
    URI uri = URI.create(req.getUrl());
    String path = uri.getRawPath();
    String method = req.getMethod().getName();
    String endpoint = path.startsWith("/api/2.0/mlflow/") ? path.substring(16) : path;
    int holdThis;
    ResponseDefinition answer;
    try {
      synchronized (this) {
        ObjectNode body =
            method.equals("GET")
                ? json.createObjectNode()
                : (ObjectNode) json.readTree(req.getBody());
        int before = metricBatches.size();
        answer = handle(method + " " + endpoint, query(uri.getRawQuery()), body);
        holdThis = metricBatches.size() > before ? metricBatches.size() : 0;
      }
    } catch (Reject r) {
      return error(r.status, r.code, r.getMessage());
    } catch (IOException | RuntimeException e) {
      return error(400, "BAD_REQUEST", e.toString());
    }
    if (holdThis > 0 && holdThis == holdAt) {
      held.countDown();
      try {
        released.await(3, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return answer;
  }

  private ResponseDefinition handle(String call, Map<String, String> q, ObjectNode body)
      throws Reject {
    switch (call) {
      case "GET experiments/get-by-name" -> {
        String name = required(q.get("experiment_name"), "experiment_name");
        String id = experiments.get(name);
        if (id == null) {
          throw new Reject(404, "RESOURCE_DOES_NOT_EXIST", "no experiment named " + name);
        }
        ObjectNode out = json.createObjectNode();
        out.putObject("experiment")
            .put("experiment_id", id)
            .put("name", name)
            .put("lifecycle_stage", "active");
        return okJson(out);
      }
      case "POST experiments/create" -> {
        String name = required(body.path("name").asText(null), "name");
        if (experiments.containsKey(name)) {
          throw new Reject(400, "RESOURCE_ALREADY_EXISTS", "experiment " + name + " exists");
        }
        String id = String.valueOf(++ids);
        experiments.put(name, id);
        return okJson(json.createObjectNode().put("experiment_id", id));
      }
      case "POST runs/create" -> {
        String exp = required(body.path("experiment_id").asText(null), "experiment_id");
        if (!experiments.containsValue(exp)) {
          throw new Reject(404, "RESOURCE_DOES_NOT_EXIST", "no experiment " + exp);
        }
        Run run = new Run(String.format("%032x", ++ids), exp);
        body.path("tags")
            .forEach(t -> run.tags.put(t.path("key").asText(), t.path("value").asText()));
        runs.put(run.id, run);
        ObjectNode out = json.createObjectNode();
        out.set("run", runJson(run));
        return okJson(out);
      }
      case "GET runs/get" -> {
        ObjectNode out = json.createObjectNode();
        out.set("run", runJson(run(q.get("run_id"))));
        return okJson(out);
      }
      case "POST runs/update" -> {
        Run run = run(body.path("run_id").asText(null));
        run.status = required(body.path("status").asText(null), "status");
        return okJson(json.createObjectNode());
      }
      case "POST runs/search" -> {
        Matcher m = TAG_FILTER.matcher(body.path("filter").asText(""));
        if (!m.matches()) {
          throw new Reject(400, "INVALID_PARAMETER_VALUE", "unsupported filter " + body);
        }
        List<String> experimentIds = new ArrayList<>();
        body.path("experiment_ids").forEach(n -> experimentIds.add(n.asText()));
        ObjectNode out = json.createObjectNode();
        ArrayNode found = out.putArray("runs");
        for (Run r : runs.values()) {
          if (experimentIds.contains(r.experimentId) && m.group(2).equals(r.tags.get(m.group(1)))) {
            found.add(runJson(r));
          }
        }
        return okJson(out);
      }
      case "POST runs/log-batch" -> {
        Run run = run(body.path("run_id").asText(null));
        if (!run.status.equals("RUNNING")) {
          throw new Reject(400, "INVALID_STATE", "run " + run.id + " is " + run.status);
        }
        body.path("params")
            .forEach(p -> run.params.put(p.path("key").asText(), p.path("value").asText()));
        body.path("tags")
            .forEach(t -> run.tags.put(t.path("key").asText(), t.path("value").asText()));
        List<Row> rows = new ArrayList<>();
        for (JsonNode n : body.path("metrics")) {
          rows.add(
              new Row(
                  n.path("key").asText(),
                  n.path("value").asDouble(),
                  n.path("timestamp").asLong(),
                  n.path("step").asLong()));
        }
        if (!rows.isEmpty()) {
          run.metrics.addAll(rows);
          metricBatches.add(rows);
        }
        return okJson(json.createObjectNode());
      }
      default -> {
        unexpected.add(call);
        throw new Reject(404, "ENDPOINT_NOT_FOUND", call + " is not implemented by the stub");
      }
    }
  }

  private ObjectNode runJson(Run run) {
    ObjectNode r = json.createObjectNode();
    r.putObject("info")
        .put("run_id", run.id)
        .put("run_uuid", run.id)
        .put("experiment_id", run.experimentId)
        .put("status", run.status)
        .put("start_time", 1_700_000_000_000L)
        .put("artifact_uri", "mlflow-artifacts:/" + run.experimentId + "/" + run.id + "/artifacts")
        .put("lifecycle_stage", "active");
    ArrayNode tags = r.putObject("data").putArray("tags");
    run.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
    return r;
  }

  private Run run(String id) throws Reject {
    Run run = id == null ? null : runs.get(id);
    if (run == null) {
      throw new Reject(404, "RESOURCE_DOES_NOT_EXIST", "Run '" + id + "' not found");
    }
    return run;
  }

  private static String required(String value, String field) throws Reject {
    if (value == null || value.isEmpty()) {
      throw new Reject(400, "INVALID_PARAMETER_VALUE", "missing " + field);
    }
    return value;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw != null) {
      for (String kv : raw.split("&")) {
        int eq = kv.indexOf('=');
        out.put(
            URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static ResponseDefinition okJson(JsonNode n) {
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
