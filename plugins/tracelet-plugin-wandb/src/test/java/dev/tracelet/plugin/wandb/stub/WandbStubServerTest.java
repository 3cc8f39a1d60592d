package dev.tracelet.plugin.wandb.stub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stub refuses what W&amp;B refuses, so tests against it mean something. Raw HTTP only. */
class WandbStubServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType APPLICATION_JSON = MediaType.get("application/json");
  private static WandbStubServer stub;
  private static OkHttpClient http;

  @BeforeAll
  static void start() {
    stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0);
    http = new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  }

  @AfterAll
  static void stop() {
    stub.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @BeforeEach
  void reset() {
    stub.reset();
  }

  @Test
  void bothEndpointsRequireBasicApiKeyAuth() throws IOException {
    assertThat(post("/graphql", upsert("r1", null), null).code()).isEqualTo(401);
    assertThat(post("/graphql", upsert("r1", null), basic("api", "wrong")).code()).isEqualTo(401);
    assertThat(post("/graphql", upsert("r1", null), basic("user", stub.apiKey())).code())
        .isEqualTo(401);
    createRun("r1");
    assertThat(post(stream("r1"), history(0, line(0)), null).code()).isEqualTo(401);
    assertThat(stub.run("r1").orElseThrow().historyLines()).isEmpty();
  }

  @Test
  void graphqlBodiesNeedQueryVariablesAndOperationName() throws IOException {
    ObjectNode body = upsert("r1", null);
    body.remove("operationName");
    assertThat(post("/graphql", body, auth()).code()).isEqualTo(400);
    body = upsert("r1", null);
    body.remove("variables");
    assertThat(post("/graphql", body, auth()).code()).isEqualTo(400);
    assertThat(stub.runs()).isEmpty();
  }

  @Test
  void badRunIdsProjectsConfigsAndTagsAreGraphqlErrors() throws IOException {
    for (String bad : List.of("a:b", "a;b", "a,b", "a#b", "a?b", "a/b", "a'b", " ab", "ab ")) {
      assertThat(errors(post("/graphql", upsert(bad, null), auth()))).as(bad).isNotEmpty();
    }
    ObjectNode longProject = upsert("r1", null);
    ((ObjectNode) longProject.get("variables")).put("project", "p".repeat(129));
    assertThat(errors(post("/graphql", longProject, auth()))).isNotEmpty();
    ObjectNode slashProject = upsert("r1", null);
    ((ObjectNode) slashProject.get("variables")).put("project", "a%b");
    assertThat(errors(post("/graphql", slashProject, auth()))).isNotEmpty();

    ObjectNode configObject = upsert("r1", null);
    ((ObjectNode) configObject.get("variables"))
        .putObject("config")
        .putObject("lr")
        .put("value", 1);
    assertThat(errors(post("/graphql", configObject, auth())))
        .anyMatch(m -> m.contains("JSON string"));
    assertThat(errors(post("/graphql", upsert("r1", "{\"lr\": 0.1}"), auth())))
        .anyMatch(m -> m.contains("wrapper"));
    ObjectNode longTag = upsert("r1", null);
    ((ObjectNode) longTag.get("variables")).putArray("tags").add("t".repeat(65));
    assertThat(errors(post("/graphql", longTag, auth()))).isNotEmpty();

    assertThat(errors(post("/graphql", upsert("r1", "{\"lr\": {\"value\": 0.1}}"), auth())))
        .isEmpty();
    assertThat(stub.runs()).hasSize(1);
  }

  @Test
  void aFileStreamOfARunNeverCreatedIs404() throws IOException {
    assertThat(post(stream("ghost"), history(0, line(0)), auth()).code()).isEqualTo(404);
  }

  @Test
  void historyOffsetsMustNotSkipNorRewriteLines() throws IOException {
    createRun("r1");
    assertThat(post(stream("r1"), history(1, line(0)), auth()).code())
        .as("gap at start")
        .isEqualTo(400);
    assertThat(post(stream("r1"), history(0, line(0), line(1)), auth()).code()).isEqualTo(200);
    assertThat(post(stream("r1"), history(3, line(2)), auth()).code()).as("gap").isEqualTo(400);
    assertThat(post(stream("r1"), history(1, line(5)), auth()).code())
        .as("other content")
        .isEqualTo(400);
    assertThat(post(stream("r1"), history(1, line(1), line(2)), auth()).code())
        .as("identical resend plus a new line")
        .isEqualTo(200);
    assertThat(stub.run("r1").orElseThrow().steps()).containsExactly(0L, 1L, 2L);
  }

  @Test
  void historyLinesNeedIncreasingStepsAndSecondTimestamps() throws IOException {
    createRun("r1");
    assertThat(post(stream("r1"), history(0, line(3)), auth()).code()).isEqualTo(200);
    assertThat(post(stream("r1"), history(1, line(3)), auth()).code())
        .as("repeated step")
        .isEqualTo(400);
    assertThat(post(stream("r1"), history(1, line(2)), auth()).code())
        .as("lower step")
        .isEqualTo(400);
    assertThat(
            post(
                    stream("r1"),
                    history(1, "{\"x\":1,\"_runtime\":1,\"_timestamp\":1700000000}"),
                    auth())
                .code())
        .as("no _step")
        .isEqualTo(400);
    assertThat(
            post(
                    stream("r1"),
                    history(1, "{\"x\":1,\"_step\":4,\"_timestamp\":1700000000}"),
                    auth())
                .code())
        .as("no _runtime")
        .isEqualTo(400);
    assertThat(
            post(
                    stream("r1"),
                    history(1, "{\"_step\":4,\"_runtime\":1,\"_timestamp\":1700000000000}"),
                    auth())
                .code())
        .as("milliseconds")
        .isEqualTo(400);
    assertThat(post(stream("r1"), history(1, "[1,2]"), auth()).code())
        .as("not an object")
        .isEqualTo(400);
    assertThat(
            post(
                    stream("r1"),
                    history(1, "{\"x\":NaN,\"_step\":4,\"_runtime\":1,\"_timestamp\":1700000000}"),
                    auth())
                .code())
        .as("NaN token inside a line")
        .isEqualTo(200);
  }

  @Test
  void theSummaryIsOneLineAtOffsetZero() throws IOException {
    createRun("r1");
    ObjectNode body = JSON.createObjectNode();
    ObjectNode s = body.putObject("files").putObject("wandb-summary.json");
    s.put("offset", 0);
    s.putArray("content").add("{\"a\":1}").add("{\"b\":2}");
    assertThat(post(stream("r1"), body, auth()).code()).isEqualTo(400);
    s.put("offset", 1);
    s.putArray("content").add("{\"a\":1}");
    assertThat(post(stream("r1"), body, auth()).code()).isEqualTo(400);
    s.put("offset", 0);
    assertThat(post(stream("r1"), body, auth()).code()).isEqualTo(200);
  }

  @Test
  void completeNeedsAnExitCodeAndEndsTheStream() throws IOException {
    createRun("r1");
    ObjectNode noExit = JSON.createObjectNode().put("complete", true);
    assertThat(post(stream("r1"), noExit, auth()).code()).isEqualTo(400);
    ObjectNode exitOnly = JSON.createObjectNode().put("exitcode", 0);
    assertThat(post(stream("r1"), exitOnly, auth()).code()).isEqualTo(400);
    ObjectNode done = JSON.createObjectNode().put("complete", true).put("exitcode", 1);
    assertThat(post(stream("r1"), done, auth()).code()).isEqualTo(200);
    assertThat(post(stream("r1"), done, auth()).code()).as("an exact resend").isEqualTo(200);
    assertThat(post(stream("r1"), JSON.createObjectNode(), auth()).code())
        .as("after complete")
        .isEqualTo(400);
    assertThat(stub.run("r1").orElseThrow().exitCode()).contains(1);
  }

  @Test
  void gzipAndOversizedRequestsAreRefused() throws IOException {
    createRun("r1");
    Request gz =
        new Request.Builder()
            .url(stub.baseUrl() + stream("r1"))
            .header("Authorization", auth())
            .header("Content-Encoding", "gzip")
            .post(RequestBody.create(gzip("{}"), APPLICATION_JSON))
            .build();
    try (Response r = http.newCall(gz).execute()) {
      assertThat(r.code()).isEqualTo(400);
    }
    String big =
        "{\"files\":{\"output.log\":{\"offset\":0,\"content\":[\""
            + "x".repeat(11 << 20)
            + "\"]}}}";
    Request huge =
        new Request.Builder()
            .url(stub.baseUrl() + stream("r1"))
            .header("Authorization", auth())
            .post(RequestBody.create(big.getBytes(StandardCharsets.UTF_8), APPLICATION_JSON))
            .build();
    try (Response r = http.newCall(huge).execute()) {
      assertThat(r.code()).isEqualTo(413);
    }
  }

  @Test
  void moreThanTheRateLimitIs429WithRetryAfter() throws IOException {
    stub.rateLimit(2);
    try {
      createRun("r1");
      assertThat(post(stream("r1"), JSON.createObjectNode(), auth()).code()).isEqualTo(200);
      assertThat(post(stream("r1"), JSON.createObjectNode(), auth()).code()).isEqualTo(200);
      Response third = post(stream("r1"), JSON.createObjectNode(), auth());
      assertThat(third.code()).isEqualTo(429);
      assertThat(third.header("Retry-After")).isEqualTo("1");
    } finally {
      stub.rateLimit(0);
    }
  }

  @Test
  void scriptsCanReadWhatTheStubHolds() throws IOException {
    createRun("r1");
    post(stream("r1"), history(0, line(0)), auth());
    try (Response r =
        http.newCall(new Request.Builder().url(stub.baseUrl() + "/_stub/runs").build()).execute()) {
      JsonNode runs = JSON.readTree(r.body().string());
      assertThat(runs.get(0).get("id").asText()).isEqualTo("r1");
      assertThat(runs.get(0).get("steps").get(0).asLong()).isZero();
    }
  }

  @Test
  void artifactUploadsMustMatchTheirDigestsAndCommitComesLast() throws IOException {
    createRun("r1");
    byte[] content = "artifact bytes".getBytes(StandardCharsets.UTF_8);
    String md5 = StubRules.b64md5(content);
    ObjectNode contents = JSON.createObjectNode();
    contents.putObject("f.bin").put("digest", md5).put("size", content.length);
    String digest = StubRules.artifactDigest(contents);
    JsonNode art =
        data(
            gql(
                "CreateArtifact",
                "mutation CreateArtifact { createArtifact(input: {digestAlgorithm: MANIFEST_MD5,"
                    + " enableDigestDeduplication: true}) { artifact { id } } }",
                JSON.createObjectNode()
                    .put("entityName", WandbStubServer.DEFAULT_ENTITY)
                    .put("projectName", "p")
                    .put("runName", "r1")
                    .put("artifactTypeName", "dataset")
                    .put("artifactCollectionName", "data")
                    .put("digest", digest)
                    .put("clientID", "c1")
                    .put("sequenceClientID", "s1")));
    String artifactId = art.path("createArtifact").path("artifact").path("id").asText();
    byte[] manifest =
        JSON.writeValueAsBytes(
            JSON.createObjectNode()
                .put("version", 1)
                .put("storagePolicy", "wandb-storage-policy-v1")
                .<ObjectNode>set(
                    "storagePolicyConfig", JSON.createObjectNode().put("storageLayout", "V2"))
                .set("contents", contents));
    JsonNode m =
        data(
            gql(
                "CreateArtifactManifest",
                "mutation CreateArtifactManifest { x }",
                JSON.createObjectNode()
                    .put("artifactID", artifactId)
                    .put("name", "wandb_manifest.json")
                    .put("digest", StubRules.b64md5(manifest))
                    .put("manifestType", "FULL")
                    .put("includeUpload", true)));
    String manifestId =
        m.path("createArtifactManifest").path("artifactManifest").path("id").asText();
    String manifestUrl =
        m.path("createArtifactManifest")
            .path("artifactManifest")
            .path("file")
            .path("uploadUrl")
            .asText();
    ObjectNode filesVars = JSON.createObjectNode();
    ObjectNode input = filesVars.putObject("input");
    input.put("storageLayout", "V2");
    input
        .putArray("artifactFiles")
        .addObject()
        .put("artifactID", artifactId)
        .put("name", "f.bin")
        .put("md5", md5)
        .put("artifactManifestID", manifestId);
    JsonNode node =
        data(gql("CreateArtifactFiles", "mutation CreateArtifactFiles { x }", filesVars))
            .path("createArtifactFiles")
            .path("files")
            .path("edges")
            .get(0)
            .path("node");
    String url = node.path("uploadUrl").asText();
    String token = node.path("uploadHeaders").get(1).asText().split(":", 2)[1];

    JsonNode commit = JSON.createObjectNode().put("artifactID", artifactId);
    assertThat(gqlErrors(gql("CommitArtifact", "mutation CommitArtifact { x }", commit)))
        .as("commit before the manifest")
        .isNotEmpty();
    assertThat(put(url, "other bytes".getBytes(StandardCharsets.UTF_8), token, null))
        .isEqualTo(400);
    assertThat(put(url, content, token, auth())).as("API key sent to storage").isEqualTo(400);
    assertThat(put(url, content, null, null)).as("without the upload headers").isEqualTo(403);
    assertThat(put(url, content, token, null)).isEqualTo(200);
    byte[] otherManifest =
        new String(manifest, StandardCharsets.UTF_8)
            .replace("\"size\":14", "\"size\":15")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(put(manifestUrl, otherManifest, null, null)).as("manifest digest").isEqualTo(400);
    assertThat(put(manifestUrl, manifest, null, null)).isEqualTo(200);
    assertThat(gqlErrors(gql("CommitArtifact", "mutation CommitArtifact { x }", commit))).isEmpty();
    assertThat(
            stub.run("r1").orElseThrow().artifact("data").orElseThrow().file("f.bin").orElseThrow())
        .isEqualTo(content);
  }

  // ---- helpers ----

  private static Response gql(String operation, String query, JsonNode variables)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("query", query);
    body.set("variables", variables);
    body.put("operationName", operation);
    return post("/graphql", body, auth());
  }

  private static JsonNode data(Response r) throws IOException {
    JsonNode answer = JSON.readTree(r.body().string());
    assertThat(answer.path("errors").isMissingNode()).as("errors in %s", answer).isTrue();
    return answer.path("data");
  }

  private static List<String> gqlErrors(Response r) throws IOException {
    return errors(r);
  }

  private static int put(
      String url, byte[] body, @Nullable String token, @Nullable String authorization)
      throws IOException {
    Request.Builder b = new Request.Builder().url(url).put(RequestBody.create(body, null));
    if (token != null) {
      b.header("X-Stub-Upload-Token", token);
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try (Response r = http.newCall(b.build()).execute()) {
      return r.code();
    }
  }

  private static byte[] gzip(String text) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private static void createRun(String id) throws IOException {
    assertThat(errors(post("/graphql", upsert(id, null), auth()))).isEmpty();
  }

  private static ObjectNode upsert(String runId, @Nullable String config) {
    ObjectNode body = JSON.createObjectNode();
    body.put(
        "query",
        "mutation UpsertBucket($name: String) { upsertBucket(input: {name: $name}) { bucket { id } } }");
    ObjectNode vars = body.putObject("variables");
    vars.put("name", runId);
    vars.put("project", "p");
    if (config != null) {
      vars.put("config", config);
    }
    body.put("operationName", "UpsertBucket");
    return body;
  }

  private static String stream(String run) {
    return "/files/" + WandbStubServer.DEFAULT_ENTITY + "/p/" + run + "/file_stream";
  }

  private static String line(long step) {
    return "{\"loss\":1.5,\"_step\":" + step + ",\"_runtime\":1.0,\"_timestamp\":1700000000.5}";
  }

  private static ObjectNode history(int offset, String... lines) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode h = body.putObject("files").putObject("wandb-history.jsonl");
    h.put("offset", offset);
    ArrayNode content = h.putArray("content");
    for (String l : lines) {
      content.add(l);
    }
    return body;
  }

  private static List<String> errors(Response r) throws IOException {
    assertThat(r.code()).isEqualTo(200);
    JsonNode errors = JSON.readTree(r.body().string()).path("errors");
    return errors.isArray() ? errors.findValuesAsText("message") : List.of();
  }

  private static String auth() {
    return basic("api", stub.apiKey());
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static Response post(String path, JsonNode body, @Nullable String authorization)
      throws IOException {
    Request.Builder b =
        new Request.Builder()
            .url(stub.baseUrl() + path)
            .post(RequestBody.create(JSON.writeValueAsBytes(body), APPLICATION_JSON));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    Response r = http.newCall(b.build()).execute();
    // Tests read status and headers, sometimes the body: buffer it so the connection is released.
    byte[] bytes = r.body() == null ? new byte[0] : r.body().bytes();
    return r.newBuilder()
        .body(okhttp3.ResponseBody.create(bytes, r.body() == null ? null : r.body().contentType()))
        .build();
  }
}
