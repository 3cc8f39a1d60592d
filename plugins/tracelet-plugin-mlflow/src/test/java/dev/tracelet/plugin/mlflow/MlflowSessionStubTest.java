package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session against {@link StrictMlflowStub}, which refuses whatever MLflow would refuse. */
class MlflowSessionStubTest {
  private static final long T0 = 1_700_000_000_000L;

  @TempDir Path scratch;
  private StrictMlflowStub stub;
  private TestContext ctx;
  private final MlflowBackendPlugin plugin = new MlflowBackendPlugin();

  @BeforeEach
  void start() {
    stub = new StrictMlflowStub();
    ctx = TestContext.of(stub.uri(), "proj", scratch);
  }

  @AfterEach
  void stop() {
    stub.shutdown();
  }

  private static List<MetricEvent> metrics(int n, String key) {
    List<MetricEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new MetricEvent(key, i * 0.5, i, T0 + i));
    }
    return out;
  }

  private StrictMlflowStub.Run onlyRun() {
    assertThat(stub.runs).hasSize(1);
    return stub.runs.values().iterator().next();
  }

  @Test
  void createsTheRunWithMlflowsSystemTagsAndTheRunsTags() {
    plugin.open(ctx).close(RunStatus.FINISHED);
    StrictMlflowStub.Run run = onlyRun();
    assertThat(stub.experiments).containsKey("proj");
    assertThat(run.tags)
        .containsEntry("mlflow.runName", ctx.experimentName())
        .containsEntry("mlflow.source.type", "LOCAL")
        .containsEntry("tracelet.run_id", ctx.runId())
        .containsEntry("baseline", "")
        .containsEntry("team", "vision")
        .containsEntry("stage", "dev")
        .containsEntry("tracelet.tags", "baseline,team=vision,stage:dev")
        .containsKeys("mlflow.user", "mlflow.source.name");
    assertThat(run.status).isEqualTo("FINISHED");
    assertThat(run.endTime).isPositive();
  }

  @Test
  void packsABatchIntoRequestsWithinEveryLimit() {
    BackendSession s = plugin.open(ctx);
    List<ParamEvent> params = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      params.add(new ParamEvent("p" + i, i));
    }
    List<TagEvent> tags = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      tags.add(new TagEvent("t" + i, "v"));
    }
    s.log(new EventBatch(metrics(2_500, "loss"), params, tags));
    // params: 100 + 50; then 120 tags and 2,500 metrics: (100 t + 900 m), (20 t + 980 m), 620 m
    assertThat(stub.count("runs/log-batch")).isEqualTo(5);
    StrictMlflowStub.Run run = onlyRun();
    assertThat(run.metrics).hasSize(2_500);
    assertThat(run.params).hasSize(150);
    assertThat(run.tags).containsKeys("t0", "t119");
    s.close(RunStatus.FINISHED);
  }

  @Test
  void splitsByBytesBelowOneMegabyte() {
    BackendSession s = plugin.open(ctx);
    List<TagEvent> tags = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      tags.add(new TagEvent("t" + i, "\u00e9".repeat(5_000))); // 10 kB each in UTF-8
    }
    s.log(new EventBatch(metrics(1_000, "k".repeat(250)), List.of(), tags));
    // about 1.33 MB in all: two requests, each under the stub's (and MLflow's) 1 MB limit
    assertThat(stub.count("runs/log-batch")).isEqualTo(2);
    assertThat(onlyRun().metrics).hasSize(1_000);
    assertThat(onlyRun().tags.get("t99")).hasSize(5_000);
  }

  @Test
  void encodesNonFiniteValuesAsMlflowAccepts() {
    BackendSession s = plugin.open(ctx);
    s.log(
        EventBatch.ofMetrics(
            List.of(
                new MetricEvent("a", Double.NaN, 0, T0),
                new MetricEvent("a", Double.POSITIVE_INFINITY, 1, T0),
                new MetricEvent("a", Double.NEGATIVE_INFINITY, 2, T0))));
    assertThat(onlyRun().metrics)
        .extracting(m -> m.path("value").asText())
        .containsExactly("NaN", "Infinity", "-Infinity");
  }

  @Test
  void aRetriedBatchSendsOnlyTheRequestsThatFailed() {
    BackendSession s = plugin.open(ctx.withConfig(Map.of("max_retries", "1")));
    EventBatch batch = EventBatch.ofMetrics(metrics(3_000, "loss"));
    // The first request lands; the second fails twice, which exhausts its one retry.
    stub.failNextAfter("runs/log-batch", 1, 503, 503);
    assertThatThrownBy(() -> s.log(batch))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("503");
    assertThat(onlyRun().metrics).hasSize(1_000);
    assertThat(stub.count("runs/log-batch")).isEqualTo(3);

    s.log(batch); // what the dispatcher does after a failure

    List<JsonNode> got = onlyRun().metrics;
    assertThat(got).hasSize(3_000); // no point twice
    assertThat(got).extracting(m -> m.path("step").asLong()).doesNotHaveDuplicates();
    assertThat(stub.count("runs/log-batch")).isEqualTo(5);
    s.close(RunStatus.FINISHED);
  }

  @Test
  void neverRetriesARefusal() {
    BackendSession s = plugin.open(ctx);
    stub.failNext("runs/log-batch", 403);
    assertThatThrownBy(() -> s.log(EventBatch.ofMetrics(metrics(10, "loss"))))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("403");
    assertThat(stub.count("runs/log-batch")).isEqualTo(1);
  }

  @Test
  void aChangedParameterValueLosesOnlyThatParameter() {
    BackendSession s = plugin.open(ctx);
    s.log(new EventBatch(List.of(), List.of(new ParamEvent("lr", 0.1)), List.of()));
    s.log(
        new EventBatch(
            metrics(5, "loss"),
            List.of(new ParamEvent("lr", 0.2), new ParamEvent("batch", 32)),
            List.of()));
    StrictMlflowStub.Run run = onlyRun();
    assertThat(run.params).containsEntry("lr", "0.1").containsEntry("batch", "32");
    assertThat(run.metrics).hasSize(5);
    assertThat(ctx.recorder().at(Level.ERROR))
        .anyMatch(l -> l.contains("'lr'") && l.contains("Changing"));
  }

  @Test
  void dropsKeysMlflowRefusesWithAWarningAndTruncatesLongValues() {
    BackendSession s = plugin.open(ctx);
    s.log(
        new EventBatch(
            List.of(
                new MetricEvent("ok", 1, 0, T0),
                new MetricEvent("a//b", 1, 0, T0),
                new MetricEvent("bad!", 1, 0, T0),
                new MetricEvent("/abs", 1, 0, T0),
                new MetricEvent("x".repeat(251), 1, 0, T0)),
            List.of(new ParamEvent("long", "y".repeat(6_001))),
            List.of(new TagEvent("note", "z".repeat(5_001)))));
    StrictMlflowStub.Run run = onlyRun();
    assertThat(run.metrics).extracting(m -> m.path("key").asText()).containsExactly("ok");
    assertThat(run.params.get("long")).hasSize(6_000);
    assertThat(run.tags.get("note")).hasSize(5_000);
    assertThat(ctx.recorder().at(Level.WARNING))
        .anyMatch(l -> l.contains("'a//b'") && l.contains("normalised"))
        .anyMatch(l -> l.contains("'bad!'") && l.contains("letters"))
        .anyMatch(l -> l.contains("'long'") && l.contains("truncated"));
  }

  @Test
  void withoutTruncationOverLongValuesAreDropped() {
    BackendSession s = plugin.open(ctx.withConfig(Map.of("truncate_long_values", "false")));
    s.log(
        new EventBatch(
            List.of(),
            List.of(new ParamEvent("long", "y".repeat(6_001)), new ParamEvent("p", 1)),
            List.of()));
    assertThat(onlyRun().params).containsOnlyKeys("p");
  }

  @Test
  void nothingIsLoggedAfterClose() {
    BackendSession s = plugin.open(ctx);
    s.close(RunStatus.KILLED);
    assertThat(onlyRun().status).isEqualTo("KILLED");
    assertThatThrownBy(() -> s.log(EventBatch.ofMetrics(metrics(1, "loss"))))
        .isInstanceOf(IllegalStateException.class);
    assertThat(stub.count("runs/log-batch")).isZero();
    s.close(RunStatus.FINISHED); // a second close does nothing
    assertThat(stub.count("runs/update")).isEqualTo(1);
  }

  @Test
  void losingTheRaceToCreateTheExperimentReadsTheWinners() {
    stub.loseNextCreateRace = true;
    plugin.open(ctx).close(RunStatus.FINISHED);
    assertThat(stub.count("experiments/create")).isEqualTo(1);
    assertThat(stub.count("experiments/get-by-name")).isEqualTo(2);
    assertThat(onlyRun().experimentId).isEqualTo(stub.experiments.get("proj"));
  }

  @Test
  void uploadsEveryFileOfAnArtifactUnderItsName() throws Exception {
    BackendSession s = plugin.open(ctx);
    Path a = Files.write(scratch.resolve("w.bin"), new byte[] {1, 2, 3});
    Path b = Files.writeString(scratch.resolve("c.json"), "{}");
    ArtifactResult r =
        s.logArtifact(
            new TraceletArtifact("model", ArtifactType.MODEL, "m")
                .addFile(a, "weights/w.bin", null)
                .addFile(b, "c.json", null));
    assertThat(stub.artifacts.get("model/weights/w.bin")).containsExactly(1, 2, 3);
    assertThat(new String(stub.artifacts.get("model/c.json"))).isEqualTo("{}");
    assertThat(new String(stub.artifacts.get("model/" + MlflowRunStore.MANIFEST)))
        .contains("\"type\":\"model\"", "weights/w.bin");
    String runId = onlyRun().id;
    assertThat(r.uri())
        .isEqualTo(
            "mlflow-artifacts:/" + onlyRun().experimentId + "/" + runId + "/artifacts/model");
    assertThat(r.metadata()).containsEntry("model_uri", "runs:/" + runId + "/model");
  }

  @Test
  void sendsBearerTokenOrBasicCredentials(@TempDir Path home) throws Exception {
    plugin.open(ctx.withConfig(Map.of("token", "tok"))).close(RunStatus.FINISHED);
    assertThat(stub.authorizations).isNotEmpty().allMatch("Bearer tok"::equals);
    stub.authorizations.clear();
    Path creds =
        Files.writeString(
            home.resolve("credentials"),
            "[mlflow]\nmlflow_tracking_username = alice\nmlflow_tracking_password = pw\n");
    plugin
        .open(ctx.withConfig(Map.of("token", "tok", "credentials_file", creds.toString())))
        .close(RunStatus.FINISHED);
    // Username and password win over a token, as in MLflow's clients.
    assertThat(stub.authorizations).isNotEmpty().allMatch("Basic YWxpY2U6cHc="::equals);
  }

  @Test
  void attachesToAnExistingRunById() {
    BackendSession first = plugin.open(ctx);
    String id = onlyRun().id;
    first.close(RunStatus.FAILED);
    BackendSession second = plugin.open(ctx.withConfig(Map.of("run_id", id)));
    assertThat(onlyRun().status).isEqualTo("RUNNING");
    second.log(EventBatch.ofMetrics(metrics(3, "loss")));
    second.close(RunStatus.FINISHED);
    assertThat(onlyRun().metrics).hasSize(3);
    assertThatThrownBy(() -> plugin.open(ctx.withConfig(Map.of("run_id", "deadbeef"))))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("does not exist");
  }

  @Test
  void refusesAMissingOrNonHttpTrackingUri() {
    assertThatThrownBy(() -> plugin.open(ctx.withConfig(Map.of("tracking_uri", ""))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("MLFLOW_TRACKING_URI");
    assertThatThrownBy(
            () -> plugin.open(ctx.withConfig(Map.of("tracking_uri", "file:///tmp/mlruns"))))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("http(s)");
  }
}
