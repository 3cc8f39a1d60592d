package dev.tracelet.plugin.wandb;

import static dev.tracelet.plugin.wandb.StubSupport.batch;
import static dev.tracelet.plugin.wandb.StubSupport.metric;
import static dev.tracelet.plugin.wandb.StubSupport.metrics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbSessionTest {
  private static WandbStubServer stub;

  @TempDir Path tmp;
  private final RecordingLogger logger = new RecordingLogger();
  private Map<String, String> config;

  @BeforeAll
  static void startStub() {
    stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0);
  }

  @AfterAll
  static void stopStub() {
    stub.close();
  }

  @BeforeEach
  void settings() {
    stub.reset();
    config = StubSupport.config(stub);
  }

  private TestBackendContext.Builder context() {
    return StubSupport.context(tmp, config).logger(logger);
  }

  private BackendSession open(TestBackendContext ctx) {
    return new WandbBackendPlugin().open(ctx);
  }

  @Test
  void theRunIsCreatedWithItsNameProjectTagsAndMetadata() {
    config.put("tags", "from-env, shared");
    config.put("group", "sweep-7");
    config.put("job_type", "train");
    config.put("notes", "first try");
    TestBackendContext ctx =
        context()
            .project("vision")
            .experimentName("resnet")
            .tags(List.of("shared", "baseline"))
            .build();
    open(ctx).close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.entity()).isEqualTo(WandbStubServer.DEFAULT_ENTITY);
    assertThat(run.project()).isEqualTo("vision");
    assertThat(run.displayName()).contains("resnet");
    assertThat(run.tags()).containsExactly("from-env", "shared", "baseline");
    assertThat(run.group()).contains("sweep-7");
    assertThat(run.jobType()).contains("train");
    assertThat(run.notes()).contains("first try");
    assertThat(run.complete()).isTrue();
    assertThat(run.exitCode()).contains(0);
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void metricsOfOneStepBecomeOneRowEvenAcrossBatches() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(metrics(metric("loss", 0.5, 0), metric("acc", 0.25, 0), metric("loss", 0.4, 1)));
    s.log(metrics(metric("acc", 0.3, 1)));
    s.log(metrics(metric("loss", 0.3, 2)));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.steps()).containsExactly(0L, 1L, 2L);
    ObjectNode row1 = run.history().get(1);
    assertThat(row1.get("loss").asDouble()).isEqualTo(0.4);
    assertThat(row1.get("acc").asDouble()).isEqualTo(0.3);
    assertThat(row1.get("_timestamp").decimalValue()).isEqualByComparingTo("1700000001.25");
    assertThat(row1.get("_runtime").decimalValue()).isEqualByComparingTo("1.25");
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void aPointAfterAHigherStepIsLeftOutWithAWarning() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(metrics(metric("loss", 0.5, 5), metric("loss", 0.4, 6)));
    s.log(metrics(metric("val", 0.9, 5), metric("loss", 0.3, 7)));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.steps()).containsExactly(5L, 6L, 7L);
    assertThat(run.history()).noneMatch(row -> row.has("val"));
    assertThat(logger.messages(System.Logger.Level.WARNING))
        .anyMatch(m -> m.contains("'val' at step 5") && m.contains("increasing steps"));
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void systemMetricsGoToTheEventsFileWithTheirOwnCounter() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(
        metrics(
            metric("loss", 0.5, 100),
            metric("system/cpu_percent", 12.5, 0),
            metric("system/heap_used_mb", 64, 0),
            metric("system/cpu_percent", 13.5, 1),
            metric("loss", 0.4, 101)));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.steps()).containsExactly(100L, 101L);
    assertThat(run.history()).noneMatch(row -> row.has("system/cpu_percent"));
    assertThat(run.eventsLines()).hasSize(2);
    assertThat(run.eventsLines().get(0))
        .contains("\"system.cpu_percent\":12.5")
        .contains("\"system.heap_used_mb\":64.0");
    assertThat(run.summary().orElseThrow().has("system.cpu_percent")).isFalse();
  }

  @Test
  void theSummaryHoldsTheLatestValueOfEveryKey() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(metrics(metric("loss", 0.5, 0), metric("acc", 0.1, 0)));
    s.log(metrics(metric("loss", 0.25, 1)));

    // Before close: the summary already shows step 1, whose row is still open.
    ObjectNode during = StubSupport.run(stub, ctx.runId()).summary().orElseThrow();
    assertThat(during.get("loss").asDouble()).isEqualTo(0.25);
    assertThat(during.get("_step").asLong()).isEqualTo(1);
    s.close(RunStatus.FINISHED);

    ObjectNode summary = StubSupport.run(stub, ctx.runId()).summary().orElseThrow();
    assertThat(summary.get("loss").asDouble()).isEqualTo(0.25);
    assertThat(summary.get("acc").asDouble()).isEqualTo(0.1);
    assertThat(summary.get("_wandb").get("runtime").asLong()).isEqualTo(1);
  }

  @Test
  void paramsGoToTheConfigAndKeyValueTagsUnderTagsSlash() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(
        batch(
            List.of(metric("loss", 1, 0)),
            List.of(
                new ParamEvent("lr", 0.01),
                new ParamEvent("layers", List.of(64L, 32L)),
                new ParamEvent("optimizer", "adam")),
            List.of(new TagEvent("stage", "warmup"))));
    s.log(batch(List.of(), List.of(), List.of(new TagEvent("stage", "main"))));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.configValue("lr").orElseThrow().asDouble()).isEqualTo(0.01);
    assertThat(run.configValue("layers").orElseThrow().toString()).isEqualTo("[64,32]");
    assertThat(run.configValue("optimizer").orElseThrow().asText()).isEqualTo("adam");
    assertThat(run.configValue("tags/stage").orElseThrow().asText()).isEqualTo("main");
    // One create, then one update per batch that changed the config.
    assertThat(run.upserts()).isEqualTo(3);
  }

  @Test
  void aConflictOnUpsertBucketIsRetriedAsWandbsClientsDo() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    stub.failNextGraphql(1, 409);
    s.log(batch(List.of(), List.of(new ParamEvent("lr", 0.1)), List.of()));
    s.close(RunStatus.FINISHED);

    assertThat(StubSupport.run(stub, ctx.runId()).configValue("lr")).isPresent();
  }

  @Test
  void aConfigUpdateRefusedForGoodIsDroppedAndLaterOnesStillGo() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    stub.failNextGraphql(1, 400);
    assertThatThrownBy(
            () ->
                s.log(
                    batch(
                        List.of(metric("loss", 1, 0)),
                        List.of(new ParamEvent("refused", "x")),
                        List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[refused]");
    s.log(batch(List.of(metric("loss", 0.5, 1)), List.of(new ParamEvent("kept", "y")), List.of()));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.configValue("kept")).isPresent();
    assertThat(run.configValue("refused")).isEmpty();
    assertThat(run.steps()).as("the metrics of the refused batch went out").containsExactly(0L, 1L);
  }

  @Test
  void nanAndInfinitiesTravelAsBareTokens() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(
        metrics(
            metric("nan", Double.NaN, 1),
            metric("inf", Double.POSITIVE_INFINITY, 1),
            metric("ninf", Double.NEGATIVE_INFINITY, 1)));
    s.close(RunStatus.FINISHED);

    String line = StubSupport.run(stub, ctx.runId()).historyLines().get(0);
    assertThat(line).contains("\"nan\":NaN", "\"inf\":Infinity", "\"ninf\":-Infinity");
  }

  @Test
  void stoppingFlushesEveryStepLoggedBeforeIt() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    List<Long> expected = new ArrayList<>();
    for (int b = 0; b < 20; b++) {
      List<MetricEvent> events = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        long step = b * 5L + i;
        events.add(metric("loss", 1.0 / (step + 1), step));
        events.add(metric("acc", step / 100.0, step));
        expected.add(step);
      }
      s.log(EventBatch.ofMetrics(events));
    }
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.steps()).containsExactlyElementsOf(expected);
    assertThat(run.history()).allMatch(row -> row.has("loss") && row.has("acc"));
    assertThat(run.exitCode()).contains(0);
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void failedAndKilledRunsEndWithNonZeroExitCodes() {
    TestBackendContext failed = context().build();
    open(failed).close(RunStatus.FAILED);
    TestBackendContext killed = context().build();
    open(killed).close(RunStatus.KILLED);

    assertThat(StubSupport.run(stub, failed.runId()).exitCode()).contains(1);
    assertThat(StubSupport.run(stub, killed.runId()).exitCode()).contains(143);
  }

  @Test
  void aSecondCloseSendsNothingAndLogAfterCloseIsRefused() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(metrics(metric("loss", 1, 1)));
    s.close(RunStatus.FINISHED);
    int requests = stub.requests().size();

    s.close(RunStatus.FAILED);
    assertThatThrownBy(() -> s.log(metrics(metric("loss", 2, 2))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(stub.requests()).hasSize(requests);
    assertThat(StubSupport.run(stub, ctx.runId()).exitCode()).contains(0);
  }

  @Test
  void aConfiguredRunIdIsUsedAndTraceletsIdKeptInTheConfig() {
    config.put("run_id", "my-run_01");
    TestBackendContext ctx = context().build();
    open(ctx).close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, "my-run_01");
    assertThat(run.configValue("tags/tracelet.run_id").map(JsonNode::asText)).contains(ctx.runId());
  }

  @Test
  void aRunIdWithCharactersWandbRefusesFailsBeforeAnyRequest() {
    config.put("run_id", "a/b");
    assertThatThrownBy(() -> open(context().build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("wandb.run_id")
        .hasMessageContaining("'/'");
    assertThat(stub.requests()).isEmpty();
  }

  @Test
  void aWrongApiKeyFailsTheOpenWithoutShowingTheKey() {
    config.put("api_key", "wrong-key-123");
    assertThatThrownBy(() -> open(context().build()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("401")
        .hasMessageNotContaining("wrong-key-123");
    assertThat(stub.rejections()).anyMatch(r -> r.startsWith("401"));
    assertThat(stub.runs()).isEmpty();
  }

  @Test
  void aRunThatExistsIsContinuedAtItsHistoryLineCount() {
    config.put("run_id", "resumed-run");
    TestBackendContext first = context().tags(List.of("first")).build();
    BackendSession a = open(first);
    a.log(
        batch(
            List.of(metric("loss", 1, 0), metric("loss", 0.9, 1)),
            List.of(new ParamEvent("lr", 0.1)),
            List.of()));
    a.close(RunStatus.KILLED);

    BackendSession b = open(context().tags(List.of("second")).build());
    b.log(
        batch(
            List.of(metric("loss", 0.95, 1), metric("loss", 0.8, 2), metric("acc", 0.5, 3)),
            List.of(new ParamEvent("epochs", 3L)),
            List.of()));
    b.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, "resumed-run");
    assertThat(run.steps()).containsExactly(0L, 1L, 2L, 3L);
    assertThat(run.configValue("lr").orElseThrow().asDouble()).isEqualTo(0.1);
    assertThat(run.configValue("epochs").orElseThrow().asLong()).isEqualTo(3);
    assertThat(run.summary().orElseThrow().get("acc").asDouble()).isEqualTo(0.5);
    assertThat(run.exitCode()).contains(0);
    assertThat(run.tags()).as("tags the run had are kept").containsExactly("first", "second");
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void stopInTheUiIsReportedOnce() {
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    stub.stopRequested(true);
    s.log(metrics(metric("loss", 1, 1)));
    s.log(metrics(metric("loss", 1, 2)));
    s.close(RunStatus.FINISHED);

    assertThat(logger.messages(System.Logger.Level.WARNING))
        .filteredOn(m -> m.contains("stopped in the W&B UI"))
        .hasSize(1);
  }

  @Test
  void closeEndsTheSessionsHttpThreads() {
    config.put("heartbeat_seconds", "30");
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(metrics(metric("loss", 1, 1)));
    String id = ctx.runId().substring(0, 8);
    assertThat(threadsOf(id)).as("the heartbeat thread").isNotEmpty();
    s.close(RunStatus.FINISHED);

    assertThat(StubSupport.await(() -> threadsOf(id).isEmpty(), Duration.ofSeconds(20)))
        .as("threads of run %s after close: %s", id, threadsOf(id))
        .isTrue();
  }

  @Test
  void anIdleRunSendsHeartbeats() {
    config.put("heartbeat_seconds", "0.1");
    TestBackendContext ctx = context().build();
    BackendSession s = open(ctx);
    s.log(metrics(metric("loss", 1, 1)));
    int before = StubSupport.run(stub, ctx.runId()).fileStreamRequests();

    assertThat(
            StubSupport.await(
                () -> StubSupport.run(stub, ctx.runId()).fileStreamRequests() >= before + 2,
                Duration.ofSeconds(10)))
        .isTrue();
    s.close(RunStatus.FINISHED);
    assertThat(stub.requests())
        .anyMatch(r -> r.path().endsWith("/file_stream") && r.body().equals("{}"));
    assertThat(stub.rejections()).isEmpty();
  }

  /** Threads the session made: its heartbeat and any OkHttp dispatcher thread of its clients. */
  private static List<String> threadsOf(String shortRunId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(
            t ->
                t.isAlive()
                    && t.getName().startsWith("tracelet-wandb")
                    && t.getName().contains(shortRunId))
        .map(Thread::getName)
        .toList();
  }
}
