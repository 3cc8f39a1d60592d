package dev.tracelet.plugin.wandb.stub;

import static dev.tracelet.plugin.wandb.stub.StubReplies.data;
import static dev.tracelet.plugin.wandb.stub.StubReplies.errors;
import static dev.tracelet.plugin.wandb.stub.StubReplies.json;
import static dev.tracelet.plugin.wandb.stub.StubReplies.key;
import static dev.tracelet.plugin.wandb.stub.StubReplies.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The stub's state and its strict handling of every request, independent of the HTTP server that
 * feeds it. All methods are synchronized: WireMock serves requests on several threads.
 */
final class StubBackend {
  /** A request as the stub sees it; header names are lower case. */
  record Request(String method, String path, Map<String, String> headers, byte[] body) {
    @Nullable String header(String name) {
      return headers.get(name);
    }
  }

  /** What to answer; {@code reset} drops the connection instead (after applying the request). */
  record Response(int status, String body, Map<String, String> headers, boolean reset) {}

  /** One request the stub received, for golden tests. */
  record Recorded(String method, String path, String body, int status) {}

  private static final int MAX_RECORDED = 20_000;
  private static final Set<String> FILES =
      Set.of("wandb-history.jsonl", "wandb-events.jsonl", "output.log", "wandb-summary.json");
  private static final Set<String> BODY_FIELDS =
      Set.of("files", "complete", "exitcode", "uploaded", "preempting", "dropped");

  private final String apiKey;
  private final String defaultEntity;
  private int rateLimitPerSecond;

  private final Map<String, RunState> runs = new LinkedHashMap<>();
  private final StubReplies replies = new StubReplies();
  private final StubArtifactStore artifacts = new StubArtifactStore(replies, runs::containsKey);
  private final ArrayDeque<Recorded> recorded = new ArrayDeque<>();
  private int nextId = 1;

  private int failFileStreams;
  private int failFileStreamStatus;
  private @Nullable String failRetryAfter;
  private int resetAfterApplying;
  private int failGraphql;
  private int failGraphqlStatus;
  private boolean stopRequested;

  StubBackend(String apiKey, String defaultEntity, int rateLimitPerSecond) {
    this.apiKey = apiKey;
    this.defaultEntity = defaultEntity;
    this.rateLimitPerSecond = rateLimitPerSecond;
  }

  synchronized void baseUrl(String url) {
    artifacts.baseUrl(url);
  }

  synchronized Response handle(Request r) {
    Response response = dispatch(r);
    if (recorded.size() >= MAX_RECORDED) {
      recorded.removeFirst();
    }
    recorded.add(
        new Recorded(
            r.method(), r.path(), new String(r.body(), StandardCharsets.UTF_8), response.status()));
    return response;
  }

  private Response dispatch(Request r) {
    String path = r.path();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    String[] seg = path.split("/");
    if (r.method().equals("POST") && path.equals("/graphql")) {
      return graphql(r);
    }
    if (r.method().equals("POST")
        && seg.length == 6
        && seg[1].equals("files")
        && seg[5].equals("file_stream")) {
      return fileStream(r, decode(seg[2]), decode(seg[3]), decode(seg[4]));
    }
    if (r.method().equals("PUT") && seg.length == 4 && seg[1].equals("storage")) {
      return seg[2].equals("files")
          ? artifacts.putFile(r, seg[3])
          : artifacts.putManifest(r, seg[3]);
    }
    if (r.method().equals("GET") && path.equals("/_stub/runs")) {
      ArrayNode all = StubRules.array();
      for (RunState run : runs.values()) {
        all.add(snapshot(run).describe());
      }
      return json(200, all);
    }
    if (r.method().equals("GET") && path.equals("/_stub/rejections")) {
      ArrayNode all = StubRules.array();
      replies.rejections().forEach(all::add);
      return json(200, all);
    }
    return replies.reject(404, "no such endpoint: " + r.method() + " " + path);
  }

  // ---- file stream ----

  private Response fileStream(Request r, String entity, String project, String name) {
    if (!StubRules.authorized(r.header("authorization"), apiKey)) {
      return replies.reject(401, "file stream without Authorization: Basic api:<key>");
    }
    if ("gzip".equalsIgnoreCase(r.header("content-encoding"))) {
      return replies.reject(
          400, "gzip file stream, but the server never advertised FILESTREAM_GZIP");
    }
    RunState run = runs.get(key(entity, project, name));
    if (run == null) {
      return replies.reject(
          404, "file stream for " + key(entity, project, name) + ", never upserted");
    }
    if (r.body().length > StubRules.MAX_REQUEST_BYTES) {
      return replies.reject(413, "file stream request of " + r.body().length + " bytes");
    }
    if (failFileStreams > 0) {
      failFileStreams--;
      Map<String, String> h = new LinkedHashMap<>();
      if (failRetryAfter != null) {
        h.put("Retry-After", failRetryAfter);
      }
      return new Response(failFileStreamStatus, "{\"error\":\"injected failure\"}", h, false);
    }
    long now = System.nanoTime();
    if (rateLimitPerSecond > 0) {
      while (!run.times.isEmpty() && now - run.times.peekFirst() >= 1_000_000_000L) {
        run.times.removeFirst();
      }
      if (run.times.size() >= rateLimitPerSecond) {
        replies.note("429: more than " + rateLimitPerSecond + " file-stream requests/s for " + run);
        return new Response(429, "{\"error\":\"rate limited\"}", Map.of("Retry-After", "1"), false);
      }
      run.times.addLast(now);
    }
    String text = new String(r.body(), StandardCharsets.UTF_8);
    if (run.complete) {
      if (text.equals(run.completingBody)) {
        return json(200, answer());
      }
      return replies.reject(400, "file stream request after complete:true for " + run);
    }
    ObjectNode body;
    try {
      if (!(StubRules.JSON.readTree(text) instanceof ObjectNode o)) {
        return replies.reject(400, "file stream body is not a JSON object");
      }
      body = o;
    } catch (JsonProcessingException e) {
      return replies.reject(400, "file stream body is not JSON: " + e.getOriginalMessage());
    }
    var names = body.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!BODY_FIELDS.contains(field)) {
        return replies.reject(400, "unknown file stream field '" + field + "'");
      }
    }
    JsonNode complete = body.get("complete");
    JsonNode exit = body.get("exitcode");
    if (complete != null && !complete.isBoolean()) {
      return replies.reject(400, "complete must be a boolean");
    }
    boolean completes = complete != null && complete.asBoolean();
    if (completes && (exit == null || !exit.isIntegralNumber())) {
      return replies.reject(400, "complete:true without an integer exitcode");
    }
    if (!completes && exit != null && !exit.isNull()) {
      return replies.reject(400, "exitcode without complete:true");
    }
    JsonNode files = body.path("files");
    if (!files.isMissingNode() && !files.isObject()) {
      return replies.reject(400, "files must be an object");
    }
    Map<String, Chunk> chunks = new LinkedHashMap<>();
    var it = files.properties().iterator();
    while (it.hasNext()) {
      var e = it.next();
      if (!FILES.contains(e.getKey())) {
        return replies.reject(400, "unknown file '" + e.getKey() + "'");
      }
      JsonNode offset = e.getValue().path("offset");
      JsonNode content = e.getValue().path("content");
      if (!offset.isIntegralNumber() || offset.asLong() < 0 || !content.isArray()) {
        return replies.reject(
            400, e.getKey() + " needs an integer offset >= 0 and a content array");
      }
      List<String> lines = new ArrayList<>();
      for (JsonNode line : content) {
        if (!line.isTextual()) {
          return replies.reject(400, e.getKey() + " content must be strings");
        }
        lines.add(line.asText());
      }
      chunks.put(e.getKey(), new Chunk(offset.asInt(), lines));
    }
    String problem = validate(run, chunks);
    if (problem != null) {
      return replies.reject(400, problem + " (" + run + ")");
    }
    apply(run, chunks);
    run.fileStreamRequests++;
    if (completes) {
      run.complete = true;
      run.exitCode = exit.asInt();
      run.completingBody = text;
    }
    if (resetAfterApplying > 0) {
      resetAfterApplying--;
      return new Response(200, "", Map.of(), true);
    }
    return json(200, answer());
  }

  private ObjectNode answer() {
    ObjectNode o = StubRules.object();
    o.putNull("exitcode");
    o.putObject("limits");
    if (stopRequested) {
      o.put("stopped", true);
    }
    return o;
  }

  private record Chunk(int offset, List<String> lines) {}

  private static @Nullable String validate(RunState run, Map<String, Chunk> chunks) {
    for (Map.Entry<String, Chunk> e : chunks.entrySet()) {
      Chunk c = e.getValue();
      String file = e.getKey();
      switch (file) {
        case "wandb-summary.json" -> {
          if (c.offset() != 0 || c.lines().size() != 1) {
            return "summary must be one line at offset 0, got "
                + c.lines().size()
                + " at "
                + c.offset();
          }
          String p = StubRules.summaryLine(c.lines().get(0));
          if (p != null) {
            return p;
          }
        }
        case "output.log" -> {
          if (c.offset() > run.output.size()) {
            return "output.log offset "
                + c.offset()
                + " leaves a gap after line "
                + run.output.size();
          }
        }
        default -> {
          List<String> have = file.equals("wandb-history.jsonl") ? run.history : run.events;
          String p = appendOnly(file, have, c);
          if (p != null) {
            return p;
          }
          long prev = run.lastStep;
          int newFrom = have.size() - c.offset();
          for (int i = Math.max(0, newFrom); i < c.lines().size(); i++) {
            String line = c.lines().get(i);
            if (file.equals("wandb-history.jsonl")) {
              p = StubRules.historyLine(line);
              if (p != null) {
                return p;
              }
              long step = StubRules.object(line).get("_step").asLong();
              if (step <= prev) {
                return "history _step " + step + " does not increase (previous " + prev + ")";
              }
              prev = step;
            } else {
              p = StubRules.eventsLine(line);
              if (p != null) {
                return p;
              }
            }
          }
        }
      }
    }
    return null;
  }

  /** Offsets start where accepted lines end (no gap); a resend must repeat lines exactly. */
  private static @Nullable String appendOnly(String file, List<String> have, Chunk c) {
    if (c.offset() > have.size()) {
      return file + " offset " + c.offset() + " skips lines: " + have.size() + " accepted so far";
    }
    for (int i = 0; i < c.lines().size() && c.offset() + i < have.size(); i++) {
      if (!have.get(c.offset() + i).equals(c.lines().get(i))) {
        return file + " line " + (c.offset() + i) + " resent with different content";
      }
    }
    return null;
  }

  private static void apply(RunState run, Map<String, Chunk> chunks) {
    for (Map.Entry<String, Chunk> e : chunks.entrySet()) {
      Chunk c = e.getValue();
      switch (e.getKey()) {
        case "wandb-summary.json" -> run.summary = c.lines().get(0);
        case "output.log" -> {
          for (int i = 0; i < c.lines().size(); i++) {
            int at = c.offset() + i;
            if (at < run.output.size()) {
              run.output.set(at, c.lines().get(i));
            } else {
              run.output.add(c.lines().get(i));
            }
          }
        }
        default -> {
          List<String> have = e.getKey().equals("wandb-history.jsonl") ? run.history : run.events;
          for (int i = have.size() - c.offset(); i < c.lines().size(); i++) {
            have.add(c.lines().get(i));
            if (e.getKey().equals("wandb-history.jsonl")) {
              run.lastStep = StubRules.object(c.lines().get(i)).get("_step").asLong();
            }
          }
        }
      }
    }
  }

  // ---- GraphQL ----

  private Response graphql(Request r) {
    if (!StubRules.authorized(r.header("authorization"), apiKey)) {
      replies.note("401: GraphQL without Authorization: Basic api:<key>");
      return json(401, errors("unauthorized: send Authorization: Basic api:<key>"));
    }
    ObjectNode body;
    try {
      if (!(StubRules.JSON.readTree(r.body()) instanceof ObjectNode o)) {
        return replies.reject(400, "GraphQL body is not a JSON object");
      }
      body = o;
    } catch (java.io.IOException e) {
      return replies.reject(400, "GraphQL body is not JSON");
    }
    JsonNode query = body.get("query");
    JsonNode variables = body.get("variables");
    JsonNode operation = body.get("operationName");
    if (query == null
        || !query.isTextual()
        || variables == null
        || !variables.isObject()
        || operation == null
        || !operation.isTextual()) {
      return replies.reject(
          400, "GraphQL body needs a query string, a variables object and operationName");
    }
    String op = operation.asText();
    if (!query.asText().contains(" " + op)) {
      return replies.reject(400, "operationName " + op + " is not defined by the query");
    }
    if (failGraphql > 0) {
      failGraphql--;
      return json(failGraphqlStatus, errors("injected failure"));
    }
    ObjectNode vars = (ObjectNode) variables;
    return switch (op) {
      case "UpsertBucket" -> upsertBucket(query.asText(), vars);
      case "Viewer" -> {
        ObjectNode data = StubRules.object();
        data.putObject("viewer")
            .put("id", "viewer-1")
            .put("entity", defaultEntity)
            .put("username", defaultEntity);
        yield data(data);
      }
      case "CreateArtifact" -> artifacts.createArtifact(query.asText(), vars);
      case "CreateArtifactManifest" -> artifacts.createManifest(vars);
      case "CreateArtifactFiles" -> artifacts.createFiles(vars);
      case "CommitArtifact" -> artifacts.commitArtifact(vars);
      default -> replies.reject(400, "unknown operation " + op);
    };
  }

  private Response upsertBucket(String query, ObjectNode v) {
    if (!query.contains("upsertBucket(")) {
      return replies.gqlReject("UpsertBucket must call upsertBucket");
    }
    String name = text(v, "name");
    String p = StubRules.runId(name);
    if (p != null) {
      return replies.gqlReject(p);
    }
    String project =
        v.has("project") && !v.get("project").isNull()
            ? v.get("project").asText()
            : "uncategorized";
    p = StubRules.project(project);
    if (p != null) {
      return replies.gqlReject(p);
    }
    String entity = text(v, "entity");
    if (entity == null) {
      entity = defaultEntity;
    }
    if (v.has("config") && !v.get("config").isNull()) {
      p = StubRules.config(v.get("config"));
      if (p != null) {
        return replies.gqlReject(p);
      }
    }
    if (v.has("tags") && !v.get("tags").isNull()) {
      p = StubRules.tags(v.get("tags"));
      if (p != null) {
        return replies.gqlReject(p);
      }
    }
    String k = key(entity, project, name);
    RunState run = runs.get(k);
    String id = text(v, "id");
    boolean inserted = run == null;
    if (run == null) {
      if (id != null) {
        return replies.gqlReject("id " + id + " names no run");
      }
      run = new RunState(entity, project, name, "run-" + nextId++);
      runs.put(k, run);
    } else if (id != null && !id.equals(run.storageId)) {
      return replies.gqlReject("id " + id + " is not the id of " + k);
    }
    run.upserts++;
    if (run.complete) {
      // Upserting a finished run resumes it (W&B's resume="allow"): its stream opens again.
      run.complete = false;
      run.exitCode = null;
      run.completingBody = null;
    }
    run.displayName = textOr(v, "displayName", run.displayName);
    run.notes = textOr(v, "notes", run.notes);
    run.group = textOr(v, "groupName", run.group);
    run.jobType = textOr(v, "jobType", run.jobType);
    if (v.has("tags") && v.get("tags").isArray()) {
      run.tags = new ArrayList<>();
      for (JsonNode t : v.get("tags")) {
        run.tags.add(t.asText());
      }
    }
    if (v.has("config") && v.get("config").isTextual()) {
      run.config = StubRules.object(v.get("config").asText());
    }
    ObjectNode data = StubRules.object();
    ObjectNode upsert = data.putObject("upsertBucket");
    ObjectNode b = upsert.putObject("bucket");
    b.put("id", run.storageId);
    b.put("name", run.name);
    b.put("displayName", run.displayName);
    b.putNull("description");
    b.put("config", run.config.toString());
    ArrayNode tags = b.putArray("tags");
    run.tags.forEach(tags::add);
    b.put("historyLineCount", run.history.size());
    b.put("eventsLineCount", run.events.size());
    b.put("logLineCount", run.output.size());
    if (run.summary == null) {
      b.putNull("summaryMetrics");
    } else {
      b.put("summaryMetrics", run.summary);
    }
    ObjectNode proj = b.putObject("project");
    proj.put("id", "project-" + run.project);
    proj.put("name", run.project);
    proj.putObject("entity").put("id", "entity-" + run.entity).put("name", run.entity);
    upsert.put("inserted", inserted);
    return data(data);
  }

  // ---- accessors and fault injection ----

  synchronized List<StubRun> runs() {
    List<StubRun> out = new ArrayList<>();
    for (RunState run : runs.values()) {
      out.add(snapshot(run));
    }
    return out;
  }

  synchronized List<String> rejections() {
    return replies.rejections();
  }

  synchronized List<Recorded> recorded() {
    return List.copyOf(recorded);
  }

  synchronized int fileUploads() {
    return artifacts.fileUploads();
  }

  synchronized void failFileStreams(int n, int status, @Nullable String retryAfter) {
    failFileStreams = n;
    failFileStreamStatus = status;
    failRetryAfter = retryAfter;
  }

  synchronized void resetAfterApplying(int n) {
    resetAfterApplying = n;
  }

  synchronized void failGraphql(int n, int status) {
    failGraphql = n;
    failGraphqlStatus = status;
  }

  synchronized void rateLimit(int perSecond) {
    rateLimitPerSecond = perSecond;
  }

  synchronized void stopRequested(boolean stop) {
    stopRequested = stop;
  }

  synchronized void reset() {
    runs.clear();
    artifacts.reset();
    replies.clear();
    recorded.clear();
    failFileStreams = 0;
    resetAfterApplying = 0;
    failGraphql = 0;
    stopRequested = false;
  }

  private StubRun snapshot(RunState run) {
    List<StubArtifact> arts = artifacts.of(key(run.entity, run.project, run.name));
    return new StubRun(
        run.entity,
        run.project,
        run.name,
        run.storageId,
        run.displayName,
        run.notes,
        run.group,
        run.jobType,
        run.tags,
        run.config,
        run.history,
        run.events,
        run.output,
        run.summary,
        run.complete,
        run.exitCode,
        run.upserts,
        run.fileStreamRequests,
        arts);
  }

  private static @Nullable String textOr(JsonNode v, String field, @Nullable String current) {
    return v.has(field) ? text(v, field) : current;
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static final class RunState {
    final String entity;
    final String project;
    final String name;
    final String storageId;
    @Nullable String displayName;
    @Nullable String notes;
    @Nullable String group;
    @Nullable String jobType;
    List<String> tags = new ArrayList<>();
    ObjectNode config = StubRules.object();
    final List<String> history = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<String> output = new ArrayList<>();
    @Nullable String summary;
    long lastStep = -1;
    boolean complete;
    @Nullable Integer exitCode;
    @Nullable String completingBody;
    int upserts;
    int fileStreamRequests;
    final ArrayDeque<Long> times = new ArrayDeque<>();

    RunState(String entity, String project, String name, String storageId) {
      this.entity = entity;
      this.project = project;
      this.name = name;
      this.storageId = storageId;
    }

    @Override
    public String toString() {
      return entity + "/" + project + "/" + name;
    }
  }
}
