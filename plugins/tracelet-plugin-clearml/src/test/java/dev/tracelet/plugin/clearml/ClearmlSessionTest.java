package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.plugin.clearml.stub.StubCall;
import dev.tracelet.plugin.clearml.stub.StubTask;
import dev.tracelet.testkit.TestBackendContext;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClearmlSessionTest {
  private static final long T0 = 1_700_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  StubFixture f;

  @BeforeEach
  void startStub() {
    f = new StubFixture(dir);
  }

  @AfterEach
  void stopStub() {
    f.close();
  }

  private StubTask task(ClearmlSession s) {
    return f.stub.task(s.taskId()).orElseThrow();
  }

  private static List<MetricEvent> points(String name, int from, int to, double scale) {
    List<MetricEvent> m = new ArrayList<>();
    for (int i = from; i < to; i++) {
      m.add(new MetricEvent(name, i * scale, i, T0 + i));
    }
    return m;
  }

  private List<JsonNode> scalars(String taskId, String title, String series) {
    return f.stub.events(taskId).stream()
        .filter(e -> e.path("metric").asText().equals(title))
        .filter(e -> e.path("variant").asText().equals(series))
        .toList();
  }

  @Nested
  class WholeRun {
    @Test
    void showsAProjectACompletedTrainingTaskItsHyperparametersEveryPointAndTheModel()
        throws IOException {
      TestBackendContext context = f.context(Map.of()).build();
      ClearmlSession s = f.open(context);
      List<MetricEvent> first = new ArrayList<>(points("train/loss", 0, 100, 0.01));
      first.addAll(points("val/accuracy", 0, 100, 0.005));
      s.log(
          new EventBatch(
              first,
              List.of(
                  new ParamEvent("lr", 0.01),
                  new ParamEvent("epochs", 3L),
                  new ParamEvent("optimizer", "adam"),
                  new ParamEvent("layers", List.of(64L, 32L))),
              List.of(new TagEvent("phase", "warmup"))));
      s.log(
          new EventBatch(
              points("train/loss", 100, 150, 0.01),
              List.of(),
              List.of(new TagEvent("phase", "main"))));
      Path model = Files.write(dir.resolve("model.bin"), new byte[] {1, 2, 3, 4, 5});
      Instant created = Instant.parse("2025-03-01T12:00:00.750Z");
      TraceletArtifact artifact =
          new TraceletArtifact("model", ArtifactType.MODEL, "the trained weights", created)
              .addFile(model, "model.bin", null);
      ArtifactResult result = s.logArtifact(artifact);
      s.close(RunStatus.FINISHED);

      assertThat(f.stub.projects()).containsValue("tracelet-tests");
      StubTask task = task(s);
      assertThat(task.type()).isEqualTo("training");
      assertThat(task.name()).isEqualTo("resnet-run");
      assertThat(task.statusHistory()).containsExactly("created", "in_progress", "completed");
      assertThat(task.tags()).containsExactly("nightly");
      assertThat(task.section("General"))
          .containsEntry("lr", "0.01")
          .containsEntry("epochs", "3")
          .containsEntry("optimizer", "adam")
          .containsEntry("layers", "[64, 32]");
      assertThat(task.item("General", "lr").path("type").asText()).isEqualTo("float");
      assertThat(task.item("General", "epochs").path("type").asText()).isEqualTo("int");
      assertThat(task.item("General", "layers").path("type").asText()).isEqualTo("list");
      assertThat(task.section("properties")).containsEntry("phase", "main");
      assertThat(task.section("Tracelet"))
          .containsEntry("run_id", context.runId())
          .containsEntry("main", "com.example.Train");
      assertThat(task.section("Args"))
          .containsEntry("epochs", "3")
          .containsEntry("lr", "0.01")
          .containsEntry("api-key", "****")
          .containsEntry("arg0", "data.csv");

      List<JsonNode> loss = scalars(s.taskId(), "train", "loss");
      assertThat(loss).hasSize(150);
      for (int i = 0; i < 150; i++) {
        assertThat(loss.get(i).path("iter").asLong()).isEqualTo(i);
        assertThat(loss.get(i).path("value").asDouble()).isEqualTo(i * 0.01);
        assertThat(loss.get(i).path("timestamp").asLong()).isEqualTo(T0 + i);
      }
      assertThat(scalars(s.taskId(), "val", "accuracy")).hasSize(100);

      assertThat(task.artifacts()).hasSize(1);
      JsonNode registered = task.artifacts().get(0);
      assertThat(registered.path("key").asText()).isEqualTo("model");
      assertThat(registered.path("type").asText()).isEqualTo("model");
      assertThat(registered.path("mode").asText()).isEqualTo("output");
      assertThat(registered.path("content_size").asLong()).isEqualTo(5);
      assertThat(registered.path("hash").asText())
          .isEqualTo(TraceletArtifact.sha256(model))
          .isEqualTo(result.version());
      assertThat(registered.path("timestamp").asLong()).isEqualTo(created.getEpochSecond());
      assertThat(registered.path("type_data").path("content_type").asText())
          .isEqualTo("application/octet-stream");
      assertThat(registered.path("type_data").path("preview").asText())
          .isEqualTo("the trained weights");
      String uri = registered.path("uri").asText();
      assertThat(uri).isEqualTo(result.uri()).startsWith(f.stub.filesHost() + "/");
      assertThat(f.stub.files().get(URI.create(uri).getPath().substring(1)))
          .containsExactly(1, 2, 3, 4, 5);
      assertThat(uri)
          .endsWith("/tracelet-tests/resnet-run." + s.taskId() + "/artifacts/model/model.bin");

      assertThat(f.stub.calls())
          .allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(200));
      assertThat(f.stub.calls("events.add_batch"))
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.contentType()).isEqualTo("application/json-lines"));
      assertThat(f.stub.calls().stream().filter(c -> !c.endpoint().equals("auth.login")))
          .allSatisfy(c -> assertThat(c.authScheme()).isEqualTo("Bearer"));
      assertThat(f.stub.calls("auth.login"))
          .singleElement()
          .satisfies(c -> assertThat(c.authScheme()).isEqualTo("Basic"));
    }

    @Test
    void projectAndTaskNameSettingsWinOverTheRunsOwn() {
      ClearmlSession s =
          f.open(
              f.context(Map.of("project", "team/vision", "task_name", "nightly-resnet")).build());
      s.close(RunStatus.FINISHED);
      assertThat(f.stub.projects()).containsValue("team/vision");
      assertThat(task(s).name()).isEqualTo("nightly-resnet");
    }
  }

  @Nested
  class Ending {
    @ParameterizedTest
    @CsvSource({
      "FINISHED, tasks.completed, completed",
      "FAILED, tasks.failed, failed",
      "KILLED, tasks.stopped, stopped"
    })
    void eachStatusEndsTheTaskItsWay(RunStatus status, String endpoint, String taskStatus)
        throws IOException {
      ClearmlSession s = f.open();
      s.log(EventBatch.ofMetrics(points("loss", 0, 3, 1)));
      s.close(status);

      StubTask task = task(s);
      assertThat(task.status()).isEqualTo(taskStatus);
      assertThat(task.statusReason()).isNotBlank();
      assertThat(task.statusMessage()).contains("Tracelet run");
      JsonNode body = JSON.readTree(f.stub.calls(endpoint).get(0).body());
      assertThat(body.path("task").asText()).isEqualTo(s.taskId());
      // Only stopping needs force: the schema's text for tasks.stopped is stricter than its table.
      assertThat(body.path("force").asBoolean(false)).isEqualTo(status == RunStatus.KILLED);
    }

    @Test
    void aSecondCloseSendsNothing() {
      ClearmlSession s = f.open();
      s.close(RunStatus.FINISHED);
      int calls = f.stub.calls().size();

      s.close(RunStatus.FAILED);

      assertThat(f.stub.calls()).hasSize(calls);
      assertThat(task(s).status()).isEqualTo("completed");
    }

    @Test
    void closingRunningLeavesTheTaskRunning() {
      ClearmlSession s = f.open();
      s.close(RunStatus.RUNNING);
      assertThat(task(s).status()).isEqualTo("in_progress");
      assertThat(f.timers.closed()).isEqualTo(1);
    }

    @Test
    void logAfterCloseIsRefusedAndSendsNothing() {
      ClearmlSession s = f.open();
      s.close(RunStatus.FINISHED);
      int calls = f.stub.calls().size();

      assertThatThrownBy(() -> s.log(EventBatch.ofMetrics(points("loss", 0, 1, 1))))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThatThrownBy(() -> s.logArtifact(new TraceletArtifact("x", ArtifactType.CUSTOM, null)))
          .isInstanceOf(IllegalStateException.class);
      assertThat(f.stub.calls()).hasSize(calls);
    }

    @Test
    void aTaskStoppedFromTheWebAppGivesAClearMessage() {
      ClearmlSession s = f.open();
      f.stub.setStatus(s.taskId(), "completed");

      Throwable t =
          catchThrowable(
              () ->
                  s.log(new EventBatch(List.of(), List.of(new ParamEvent("lr", 0.1)), List.of())));

      assertThat(t)
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("tasks.edit_hyper_params failed with 400/110 invalid_task_status")
          .hasMessageContaining("stopped, reset or completed from the web app");
      s.close(RunStatus.RUNNING);
    }
  }

  @Nested
  class Values {
    @Test
    void nonFiniteValuesAreNamedAndTheRestOfTheBatchIsKept() {
      ClearmlSession s = f.open();
      EventBatch batch =
          new EventBatch(
              List.of(
                  new MetricEvent("loss", Double.NaN, 1, T0),
                  new MetricEvent("loss", 0.5, 2, T0),
                  new MetricEvent("grad/norm", Double.POSITIVE_INFINITY, 1, T0),
                  new MetricEvent("acc", 0.75, 1, T0)),
              List.of(new ParamEvent("lr", 0.1)),
              List.of());

      Throwable t = catchThrowable(() -> s.log(batch));

      assertThat(t)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("metric 'loss' (NaN at step 1)")
          .hasMessageContaining("metric 'grad/norm' (Infinity at step 1)")
          .hasMessageContaining("2 points")
          .hasMessageContaining("the other 3 events of the batch were delivered");
      assertThat(scalars(s.taskId(), "loss", "loss"))
          .singleElement()
          .satisfies(e -> assertThat(e.path("iter").asLong()).isEqualTo(2));
      assertThat(scalars(s.taskId(), "acc", "acc")).hasSize(1);
      assertThat(scalars(s.taskId(), "grad", "norm")).isEmpty();
      assertThat(task(s).section("General")).containsEntry("lr", "0.1");
      assertThat(f.stub.calls("events.add_batch"))
          .allSatisfy(c -> assertThat(c.body()).doesNotContain("NaN", "Infinity"));
      s.close(RunStatus.FINISHED);
    }

    @Test
    void aRepeatedKeyInOneBatchKeepsItsLastValue() {
      ClearmlSession s = f.open();
      s.log(
          new EventBatch(
              List.of(),
              List.of(new ParamEvent("lr", 0.1), new ParamEvent("lr", 0.2)),
              List.of(new TagEvent("stage", "a"), new TagEvent("stage", "b"))));
      s.close(RunStatus.FINISHED);
      assertThat(task(s).section("General")).containsEntry("lr", "0.2");
      assertThat(task(s).section("properties")).containsEntry("stage", "b");
    }

    @Test
    void manyLongParametersAreSplitBelowTheRequestLimit() {
      ClearmlSession s = f.open(f.context(Map.of("max_request_bytes", "4096")).build());
      List<ParamEvent> params = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        params.add(new ParamEvent("p" + i, "v".repeat(200)));
      }
      s.log(new EventBatch(List.of(), params, List.of()));
      s.close(RunStatus.FINISHED);

      List<StubCall> edits = f.stub.calls("tasks.edit_hyper_params");
      assertThat(edits).hasSizeGreaterThan(1);
      assertThat(edits)
          .allSatisfy(
              c ->
                  assertThat(c.body().getBytes(StandardCharsets.UTF_8).length)
                      .isLessThanOrEqualTo(4096));
      assertThat(task(s).section("General")).hasSize(60);
    }
  }

  @Nested
  class Failures {
    @Test
    void aRevokedTokenIsRenewedOnceAndTheCallRepeated() {
      ClearmlSession s = f.open();
      f.stub.revokeTokens();

      s.log(EventBatch.ofMetrics(points("loss", 0, 5, 1)));

      assertThat(f.stub.logins()).isEqualTo(2);
      List<StubCall> batches = f.stub.calls("events.add_batch");
      assertThat(batches).extracting(StubCall::status).containsExactly(401, 200);
      assertThat(batches.get(0).subcode()).isEqualTo(30);
      assertThat(scalars(s.taskId(), "loss", "loss")).hasSize(5);
      s.close(RunStatus.FINISHED);
    }

    @Test
    void theTokenIsRenewedBeforeItExpires() {
      ClearmlSession s = f.open();
      f.clock.advance(Duration.ofDays(30).minusSeconds(100));

      s.log(EventBatch.ofMetrics(points("loss", 0, 1, 1)));

      assertThat(f.stub.logins()).isEqualTo(2);
      assertThat(f.stub.calls()).noneSatisfy(c -> assertThat(c.status()).isEqualTo(401));
      s.close(RunStatus.FINISHED);
    }

    @Test
    void wrongKeysAreReportedWithoutTheSecret() {
      Throwable t =
          catchThrowable(() -> f.open(f.context(Map.of("secret_key", "wrong-secret-123")).build()));
      assertThat(t)
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("auth.login failed with 401/21 bad_credentials")
          .hasMessageContaining("CLEARML_API_SECRET_KEY")
          .hasMessageNotContaining("wrong-secret-123");
      assertThat(f.stub.tasks()).isEmpty();
    }

    @Test
    void anUnreachableServerSaysWhichHostToCheck() {
      Map<String, String> c = new java.util.HashMap<>(f.stub.config());
      c.put("api_host", "http://127.0.0.1:1");
      c.put("max_retries", "0");
      TestBackendContext context = TestBackendContext.builder(dir).config(c).build();
      assertThatThrownBy(() -> ClearmlSession.open(ClearmlConfig.from(c), context, f.environment()))
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("cannot reach ClearML for auth.login")
          .hasMessageContaining("clearml.api_host");
    }

    @Test
    void aBusyServerIsRetriedAfterTheTimeItAsksFor() {
      ClearmlSession s = f.open();
      f.stub.failNextWithRetryAfter("events.add_batch", 503, "7", 2);

      s.log(EventBatch.ofMetrics(points("loss", 0, 4, 1)));

      assertThat(f.sleeps).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
      assertThat(scalars(s.taskId(), "loss", "loss")).hasSize(4);
      s.close(RunStatus.FINISHED);
    }

    @Test
    void aServerErrorThatOutlastsTheRetriesNamesEndpointCodeAndAdvice() {
      ClearmlSession s = f.open(f.context(Map.of("max_retries", "1")).build());
      f.stub.failNext("events.add_batch", 500, 102, 2);

      Throwable t = catchThrowable(() -> s.log(EventBatch.ofMetrics(points("loss", 0, 1, 1))));

      assertThat(t)
          .isInstanceOf(BackendException.class)
          .hasMessageContaining("events.add_batch failed with 500/102 database_unavailable")
          .hasMessageContaining("database is down");
      assertThat(f.sleeps).hasSize(1);
      s.close(RunStatus.FINISHED);
    }

    @Test
    void aBatchRetriedAfterAPartialFailureSendsOnlyWhatWasNotAccepted() {
      ClearmlSession s =
          f.open(f.context(Map.of("max_request_bytes", "4096", "max_retries", "0")).build());
      EventBatch batch =
          new EventBatch(
              points("train/loss", 0, 300, 0.5), List.of(new ParamEvent("lr", 0.1)), List.of());
      f.stub.failAfter("events.add_batch", 1, 502, 0);

      assertThatThrownBy(() -> s.log(batch)).isInstanceOf(BackendException.class);
      int storedAfterFailure = scalars(s.taskId(), "train", "loss").size();
      assertThat(storedAfterFailure).isBetween(1, 299);

      s.log(batch);

      assertThat(scalars(s.taskId(), "train", "loss")).hasSize(300);
      assertThat(f.stub.eventLinesReceived()).as("no event line sent twice").isEqualTo(300);
      assertThat(f.stub.calls("tasks.edit_hyper_params")).as("parameters sent once").hasSize(1);
      s.close(RunStatus.FINISHED);
    }

    @Test
    void aDifferentBatchAfterAFailureIsSentWhole() {
      ClearmlSession s = f.open(f.context(Map.of("max_retries", "0")).build());
      f.stub.failNext("events.add_batch", 502, 0, 1);
      assertThatThrownBy(() -> s.log(EventBatch.ofMetrics(points("a", 0, 5, 1))))
          .isInstanceOf(BackendException.class);

      s.log(EventBatch.ofMetrics(points("b", 0, 5, 1)));

      assertThat(scalars(s.taskId(), "b", "b")).hasSize(5);
      assertThat(scalars(s.taskId(), "a", "a")).isEmpty();
      s.close(RunStatus.FINISHED);
    }

    @Test
    void eventsTheServerRefusesInA200AreReported() {
      ClearmlSession s = f.open();
      String good =
          "{\"task\":\""
              + s.taskId()
              + "\",\"type\":\"training_stats_scalar\",\"iter\":1,"
              + "\"metric\":\"m\",\"variant\":\"v\",\"value\":1.0,\"timestamp\":"
              + T0
              + "}";
      String inSeconds = good.replace("\"timestamp\":" + T0, "\"timestamp\":1700000000");
      ClearmlApi api =
          ClearmlApi.open(
              ClearmlConfig.from(f.stub.config()),
              System.getLogger("test"),
              "test",
              f.clock,
              d -> {});
      try {
        assertThatThrownBy(
                () ->
                    new ClearmlTasks(api)
                        .addEvents((good + "\n" + inSeconds).getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(BackendException.class)
            .hasMessageContaining("stored 1 events and refused 1")
            .hasMessageContaining("epoch milliseconds");
      } finally {
        api.close();
      }
      s.close(RunStatus.FINISHED);
    }
  }

  @Nested
  class Projects {
    @Test
    void aProjectIsFoundByItsExactNameOnly() throws IOException {
      f.open(f.context(Map.of("project", "expXv1")).build()).close(RunStatus.FINISHED);
      f.open(f.context(Map.of("project", "train-2")).build()).close(RunStatus.FINISHED);

      f.open(f.context(Map.of("project", "exp.v1")).build()).close(RunStatus.FINISHED);
      f.open(f.context(Map.of("project", "train")).build()).close(RunStatus.FINISHED);
      f.open(f.context(Map.of("project", "train")).build()).close(RunStatus.FINISHED);

      assertThat(f.stub.projects().values())
          .containsExactlyInAnyOrder("expXv1", "train-2", "exp.v1", "train");
      JsonNode lookup =
          JSON.readTree(
              f.stub.calls("projects.get_all").stream()
                  .filter(c -> c.body().contains("exp"))
                  .reduce((a, b) -> b)
                  .orElseThrow()
                  .body());
      assertThat(lookup.path("name").asText()).isEqualTo("^exp\\.v1$");
    }

    @Test
    void theRegexEscapesEveryAsciiPunctuation() {
      assertThat(ClearmlTasks.exactNameRegex("a (b)+[c]*.d$^|?{1}\\ é_9"))
          .isEqualTo("^a\\ \\(b\\)\\+\\[c\\]\\*\\.d\\$\\^\\|\\?\\{1\\}\\\\\\ é_9$");
    }
  }

  @Nested
  class Pings {
    @Test
    void aQuietTaskIsPingedAndABusyOneIsNot() {
      ClearmlSession s = f.open();
      assertThat(f.timers.intervals()).containsExactly(Duration.ofSeconds(30));

      f.timers.tick();
      assertThat(task(s).pings()).as("just started: not quiet yet").isZero();

      f.clock.advance(Duration.ofSeconds(31));
      f.timers.tick();
      assertThat(task(s).pings()).isEqualTo(1);

      f.clock.advance(Duration.ofSeconds(20));
      s.log(EventBatch.ofMetrics(points("loss", 0, 1, 1)));
      f.clock.advance(Duration.ofSeconds(20));
      f.timers.tick();
      assertThat(task(s).pings()).as("events count as updates").isEqualTo(1);

      s.close(RunStatus.FINISHED);
      assertThat(f.timers.closed()).isEqualTo(1);
      f.clock.advance(Duration.ofHours(1));
      f.timers.tick();
      assertThat(task(s).pings()).as("no ping after close").isEqualTo(1);
    }

    @Test
    void aPingIntervalOfZeroStartsNoTimer() {
      f.open(f.context(Map.of("ping_interval_seconds", "0")).build()).close(RunStatus.FINISHED);
      assertThat(f.timers.intervals()).isEmpty();
    }

    @Test
    void aFailedPingIsLoggedNotThrown() {
      ClearmlSession s = f.open(f.context(Map.of("max_retries", "0")).build());
      f.stub.failNext("tasks.ping", 500, 0, 1);
      f.clock.advance(Duration.ofMinutes(5));

      f.timers.tick();
      f.timers.tick();

      assertThat(f.stub.calls("tasks.ping")).extracting(StubCall::status).containsExactly(500, 200);
      s.close(RunStatus.FINISHED);
    }
  }

  @Nested
  class Artifacts {
    @Test
    void severalFilesAreRegisteredUnderNameAndPath() throws IOException {
      ClearmlSession s = f.open();
      Path a = Files.writeString(dir.resolve("a.json"), "{\"x\":1}");
      Path b = Files.writeString(dir.resolve("b.txt"), "notes");
      ArtifactResult result =
          s.logArtifact(
              new TraceletArtifact("bundle", ArtifactType.CONFIG, null)
                  .addFile(a, "conf/a.json", null)
                  .addFile(b, "read me.txt", "about it")
                  .addReference(URI.create("s3://bucket/data/set.parquet"), 1234L, null));
      s.close(RunStatus.FINISHED);

      List<JsonNode> artifacts = task(s).artifacts();
      assertThat(artifacts)
          .extracting(n -> n.path("key").asText())
          .containsExactly("bundle/conf/a.json", "bundle/read me.txt", "bundle/set.parquet");
      assertThat(artifacts.get(0).path("type_data").path("content_type").asText())
          .isEqualTo("application/json");
      assertThat(artifacts.get(1).path("uri").asText()).endsWith("/artifacts/bundle/read%20me.txt");
      assertThat(artifacts.get(2).path("uri").asText()).isEqualTo("s3://bucket/data/set.parquet");
      assertThat(artifacts.get(2).path("content_size").asLong()).isEqualTo(1234);
      assertThat(f.stub.calls("upload")).hasSize(2);
      assertThat(result.version()).hasSize(64);
      assertThat(result.uri()).endsWith("/artifacts/bundle/");
    }

    @Test
    void aFileChangedAfterItWasAddedIsRefusedBeforeUploading() throws IOException {
      ClearmlSession s = f.open();
      Path file = Files.writeString(dir.resolve("ckpt.bin"), "first");
      TraceletArtifact artifact =
          new TraceletArtifact("ckpt", ArtifactType.CHECKPOINT, null).addFile(file, null, null);
      Files.writeString(file, "second, longer");

      assertThatThrownBy(() -> s.logArtifact(artifact))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("changed after it was added");
      assertThat(f.stub.calls("upload")).isEmpty();
      s.close(RunStatus.FINISHED);
    }

    @Test
    void anArtifactWithNothingToStoreIsRefused() {
      ClearmlSession s = f.open();
      assertThatThrownBy(
              () -> s.logArtifact(new TraceletArtifact("empty", ArtifactType.CUSTOM, null)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no file or reference");
      s.close(RunStatus.FINISHED);
    }

    @Test
    void theFileServerRefusingAnOldTokenGetsANewOne() throws IOException {
      ClearmlSession s = f.open();
      Path file = Files.writeString(dir.resolve("w.bin"), "weights");
      f.stub.revokeTokens();

      s.logArtifact(
          new TraceletArtifact("w", ArtifactType.WEIGHTS, null).addFile(file, null, null));

      assertThat(f.stub.calls("upload")).extracting(StubCall::status).containsExactly(401, 200);
      assertThat(f.stub.logins()).isEqualTo(2);
      assertThat(task(s).artifacts()).hasSize(1);
      s.close(RunStatus.FINISHED);
    }
  }

  @Nested
  class Threads {
    @Test
    void theSessionsThreadsEndWhenItCloses() throws InterruptedException {
      TestBackendContext context = f.context(Map.of("ping_interval_seconds", "1")).build();
      BackendSession s = new ClearmlBackendPlugin().open(context);
      s.log(EventBatch.ofMetrics(points("loss", 0, 2, 1)));
      String prefix = "tracelet-clearml-";
      String shortId = context.runId().substring(0, 8);
      assertThat(threadsNamed(prefix, shortId)).as("ping timer thread while open").isNotEmpty();

      s.close(RunStatus.FINISHED);

      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      List<String> alive = threadsNamed(prefix, shortId);
      while (!alive.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        alive = threadsNamed(prefix, shortId);
      }
      assertThat(alive).as("threads of the closed session").isEmpty();
    }

    private List<String> threadsNamed(String prefix, String shortId) {
      return Thread.getAllStackTraces().keySet().stream()
          .filter(Thread::isAlive)
          .map(Thread::getName)
          .filter(n -> n.startsWith(prefix) && n.contains(shortId))
          .toList();
    }
  }
}
