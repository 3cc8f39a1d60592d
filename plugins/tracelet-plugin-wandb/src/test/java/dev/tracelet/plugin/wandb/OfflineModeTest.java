package dev.tracelet.plugin.wandb;

import static dev.tracelet.plugin.wandb.StubSupport.batch;
import static dev.tracelet.plugin.wandb.StubSupport.metric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline mode never touches the network and keeps everything in a journal that replays into a
 * W&amp;B server as the online session would have sent it.
 */
class OfflineModeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private WandbStubServer stub;

  @BeforeEach
  void start() {
    stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void anOfflineRunSendsNothingAndKeepsEveryRequestInItsJournal() throws IOException {
    Map<String, String> config = StubSupport.config(stub);
    config.put("mode", "offline");
    config.remove("api_key");
    config.put("netrc_file", tmp.resolve("no-such-netrc").toString());
    config.put("dir", tmp.resolve("wandb").toString());
    TestBackendContext ctx = StubSupport.context(tmp, config).project("offline-project").build();

    BackendSession s = new WandbBackendPlugin().open(ctx);
    s.log(
        batch(
            List.of(metric("loss", 0.5, 0), metric("loss", 0.25, 1)),
            List.of(new ParamEvent("lr", 0.1)),
            List.of(new TagEvent("mode", "offline"))));
    Path weights = Files.writeString(tmp.resolve("w.bin"), "weights", StandardCharsets.UTF_8);
    ArtifactResult artifact =
        s.logArtifact(
            new TraceletArtifact("model", ArtifactType.MODEL, null).addFile(weights, null, null));
    s.log(batch(List.of(metric("loss", 0.125, 2)), List.of(), List.of()));
    s.close(RunStatus.FINISHED);

    assertThat(stub.requests()).as("offline mode sends nothing").isEmpty();
    Path journal = journal(tmp.resolve("wandb"));
    assertThat(journal.getFileName().toString()).isEqualTo("run-" + ctx.runId() + ".jsonl");
    List<JsonNode> records = read(journal);
    assertThat(records)
        .extracting(r -> r.get("type").asText())
        .containsSubsequence(
            "upsert_bucket", "file_stream", "upsert_bucket", "artifact", "file_stream");
    assertThat(records).extracting(r -> r.get("seq").asLong()).isSorted();
    assertThat(records).allMatch(r -> r.get("v").asInt() == 1);
    JsonNode last = records.get(records.size() - 1);
    assertThat(last.get("body").get("complete").asBoolean()).isTrue();
    assertThat(last.get("body").get("exitcode").asInt()).isZero();
    Path copy =
        journal
            .getParent()
            .resolve(
                records.stream()
                    .filter(r -> r.get("type").asText().equals("artifact"))
                    .findFirst()
                    .orElseThrow()
                    .get("files")
                    .get(0)
                    .get("path")
                    .asText());
    assertThat(copy).hasContent("weights");
    assertThat(artifact.version()).isEqualTo("offline-1");
  }

  @Test
  void theJournalReplaysIntoAServerAsTheOnlineRunWouldHaveArrived() throws IOException {
    Map<String, String> config = StubSupport.config(stub);
    config.put("mode", "offline");
    config.put("dir", tmp.resolve("wandb").toString());
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = new WandbBackendPlugin().open(ctx);
    for (int step = 0; step < 6; step++) {
      s.log(
          batch(
              List.of(metric("loss", 1.0 / (step + 1), step)),
              List.of(new ParamEvent("p" + step, (long) step)),
              List.of()));
    }
    s.close(RunStatus.KILLED);

    replay(read(journal(tmp.resolve("wandb"))));

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(stub.rejections()).isEmpty();
    assertThat(run.steps()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(run.configValue("p5").orElseThrow().asLong()).isEqualTo(5);
    assertThat(run.exitCode()).contains(143);
  }

  /** A minimal sync: each record becomes the request it stands for. */
  private void replay(List<JsonNode> records) throws IOException {
    OkHttpClient http = new OkHttpClient();
    String auth =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("api:" + stub.apiKey()).getBytes(StandardCharsets.UTF_8));
    String entity = null;
    String project = null;
    String run = null;
    String storageId = null;
    for (JsonNode r : records) {
      String url;
      ObjectNode body = JSON.createObjectNode();
      switch (r.get("type").asText()) {
        case "upsert_bucket" -> {
          ObjectNode vars = (ObjectNode) r.get("variables").deepCopy();
          if (storageId != null) {
            vars.put("id", storageId);
          }
          body.put("query", GraphqlDocuments.UPSERT_BUCKET);
          body.set("variables", vars);
          body.put("operationName", "UpsertBucket");
          url = stub.baseUrl() + "/graphql";
        }
        case "file_stream" -> {
          body = (ObjectNode) r.get("body");
          url = stub.baseUrl() + "/files/" + entity + "/" + project + "/" + run + "/file_stream";
        }
        default -> {
          continue;
        }
      }
      Request request =
          new Request.Builder()
              .url(url)
              .header("Authorization", auth)
              .post(
                  RequestBody.create(
                      JSON.writeValueAsBytes(body), MediaType.get("application/json")))
              .build();
      try (Response response = http.newCall(request).execute()) {
        assertThat(response.code()).as("replaying %s", r).isEqualTo(200);
        if (r.get("type").asText().equals("upsert_bucket")) {
          JsonNode bucket =
              JSON.readTree(response.body().string())
                  .path("data")
                  .path("upsertBucket")
                  .path("bucket");
          storageId = bucket.get("id").asText();
          entity = bucket.path("project").path("entity").path("name").asText();
          project = bucket.path("project").path("name").asText();
          run = bucket.get("name").asText();
        }
      }
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private static Path journal(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".jsonl"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static List<JsonNode> read(Path journal) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }
}
