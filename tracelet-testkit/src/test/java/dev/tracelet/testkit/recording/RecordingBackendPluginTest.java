package dev.tracelet.testkit.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingBackendPluginTest {
  @TempDir Path scratch;

  private final RecordingBackendPlugin plugin = new RecordingBackendPlugin();

  @AfterEach
  void forgetRuns() {
    RecordingBackendPlugin.reset();
  }

  @Test
  void describesItselfAsTheRecordingBackend() {
    assertThat(plugin.metadata().name()).isEqualTo("recording");
    assertThat(plugin.metadata().type()).isEqualTo(PluginType.BACKEND);
    assertThat(plugin.configKeys())
        .extracting(ConfigKey::name, ConfigKey::defaultValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("fail_on_open", "false"),
            org.assertj.core.groups.Tuple.tuple("max_batch_events", "1000"));
  }

  @Test
  void registersEachRunUnderItsTraceletRunIdInOpenOrder() {
    TestBackendContext first = context().experimentName("first").build();
    TestBackendContext second = context().experimentName("second").build();
    plugin.open(first);
    plugin.open(second);

    assertThat(RecordingBackendPlugin.recorded(first.runId()))
        .hasValueSatisfying(run -> assertThat(run.experimentName()).isEqualTo("first"));
    assertThat(RecordingBackendPlugin.runs())
        .extracting(RecordedRun::runId)
        .containsExactly(first.runId(), second.runId());
    assertThat(RecordingBackendPlugin.recorded("no-such-run")).isEmpty();

    RecordingBackendPlugin.reset();
    assertThat(RecordingBackendPlugin.runs()).isEmpty();
    assertThat(RecordingBackendPlugin.recorded(first.runId())).isEmpty();
  }

  @Test
  void recordsTheRunsIdentityFromTheContext() {
    TestBackendContext context =
        context()
            .experimentName("resnet")
            .project("vision")
            .tags(List.of("baseline"))
            .config(Map.of("max_batch_events", "5"))
            .build();
    plugin.open(context);

    RecordedRun run = RecordingBackendPlugin.recorded(context.runId()).orElseThrow();
    assertThat(run.experimentName()).isEqualTo("resnet");
    assertThat(run.project()).isEqualTo("vision");
    assertThat(run.contextTags()).containsExactly("baseline");
    assertThat(run.startTime()).isEqualTo(context.startTime());
    assertThat(run.config()).containsExactly(Map.entry("max_batch_events", "5"));
  }

  @Test
  void recordsBatchesInDeliveryOrderWithLastValuesWinning() {
    TestBackendContext context = context().build();
    BackendSession session = plugin.open(context);
    session.log(
        new EventBatch(
            List.of(metric("loss", 0.5, 1), metric("accuracy", 0.25, 1)),
            List.of(new ParamEvent("lr", 0.01), new ParamEvent("layers", 3L)),
            List.of(new TagEvent("stage", "warmup"))));
    session.log(EventBatch.empty());
    session.log(
        new EventBatch(
            List.of(metric("loss", 0.375, 2)),
            List.of(new ParamEvent("lr", 0.001)),
            List.of(new TagEvent("stage", "train"))));

    RecordedRun run = RecordingBackendPlugin.recorded(context.runId()).orElseThrow();
    assertThat(run.batches()).hasSize(3);
    assertThat(run.batches().get(1).isEmpty()).isTrue();
    assertThat(run.metrics())
        .extracting(MetricEvent::name)
        .containsExactly("loss", "accuracy", "loss");
    assertThat(run.metrics("loss")).extracting(MetricEvent::value).containsExactly(0.5, 0.375);
    assertThat(run.metrics("absent")).isEmpty();
    assertThat(run.params()).containsExactly(Map.entry("lr", 0.001), Map.entry("layers", 3L));
    assertThat(run.tags()).containsExactly(Map.entry("stage", "train"));
  }

  @Test
  void snapshotsAreImmutableAndDoNotChangeWithLaterDeliveries() {
    TestBackendContext context = context().build();
    BackendSession session = plugin.open(context);
    session.log(EventBatch.ofMetrics(List.of(metric("loss", 1.0, 1))));
    RecordedRun run = RecordingBackendPlugin.recorded(context.runId()).orElseThrow();

    List<EventBatch> before = run.batches();
    List<MetricEvent> metricsBefore = run.metrics();
    session.log(EventBatch.ofMetrics(List.of(metric("loss", 2.0, 2))));

    assertThat(before).hasSize(1);
    assertThat(metricsBefore).hasSize(1);
    assertThat(run.metrics()).hasSize(2);
    assertThatThrownBy(() -> before.add(EventBatch.empty()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> run.params().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> run.tags().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void recordsTheFirstCloseStatusAndCountsRepeatedCloses() {
    TestBackendContext context = context().build();
    BackendSession session = plugin.open(context);
    RecordedRun run = RecordingBackendPlugin.recorded(context.runId()).orElseThrow();
    assertThat(run.status()).isEmpty();
    assertThat(run.isClosed()).isFalse();

    session.close(RunStatus.FAILED);
    assertThat(run.status()).contains(RunStatus.FAILED);
    assertThat(run.endTime()).isPresent();
    assertThat(run.closedMoreThanOnce()).isFalse();

    session.close();
    assertThat(run.status()).as("a second close changes nothing").contains(RunStatus.FAILED);
    assertThat(run.closeCalls()).isEqualTo(2);
    assertThat(run.closedMoreThanOnce()).isTrue();
  }

  @Test
  void refusesLogAndArtifactsAfterClose() {
    TestBackendContext context = context().build();
    BackendSession session = plugin.open(context);
    session.close(RunStatus.KILLED);

    assertThatThrownBy(() -> session.log(EventBatch.ofMetrics(List.of(metric("late", 1, 1)))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(context.runId())
        .hasMessageContaining("KILLED");
    assertThatThrownBy(
            () ->
                session.logArtifact(
                    new dev.tracelet.api.artifact.TraceletArtifact(
                        "late", dev.tracelet.api.artifact.ArtifactType.CUSTOM, null)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(RecordingBackendPlugin.recorded(context.runId()).orElseThrow().metrics()).isEmpty();
  }

  @Test
  void enforcesTheBatchLimitItAnnounces() {
    TestBackendContext context = context().config(Map.of("max_batch_events", "3")).build();
    BackendSession session = plugin.open(context);
    assertThat(session.capabilities().maxBatchEvents()).isEqualTo(3);
    assertThat(session.capabilities().readSupport()).isTrue();
    assertThat(session.store()).isPresent();

    List<MetricEvent> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(metric("m", i, i));
    }
    assertThatThrownBy(() -> session.log(EventBatch.ofMetrics(four)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 events exceeds max_batch_events=3");
    session.log(EventBatch.ofMetrics(four.subList(0, 3)));

    assertThat(RecordingBackendPlugin.recorded(context.runId()).orElseThrow().metrics()).hasSize(3);
  }

  @Test
  void failOnOpenThrowsABackendExceptionAndRecordsNothing() {
    TestBackendContext context = context().config(Map.of("fail_on_open", "TRUE")).build();

    assertThatThrownBy(() -> plugin.open(context))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("fail_on_open")
        .satisfies(e -> assertThat(((BackendException) e).backend()).isEqualTo("recording"));
    assertThat(RecordingBackendPlugin.runs()).isEmpty();
  }

  @Test
  void refusesUnknownAndMalformedSettingsNamingTheKey() {
    assertThatThrownBy(() -> plugin.open(context().config(Map.of("max_batch", "5")).build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("recording.max_batch")
        .hasMessageContaining("max_batch_events");
    assertThatThrownBy(() -> plugin.open(context().config(Map.of("max_batch_events", "0")).build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'0'")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(
            () -> plugin.open(context().config(Map.of("max_batch_events", "many")).build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'many'");
    assertThatThrownBy(() -> plugin.open(context().config(Map.of("fail_on_open", "yes")).build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("true or false");
  }

  @Test
  void refusesASecondSessionForOneRunUnlessItIsAResume() {
    TestBackendContext context = context().build();
    BackendSession first = plugin.open(context);
    first.log(EventBatch.ofMetrics(List.of(metric("loss", 1.0, 1))));
    // The first session "crashes": never closed.

    assertThatThrownBy(() -> plugin.open(context))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("resumed=true");

    BackendSession resumed = plugin.open(context.toBuilder().resumed(true).build());
    resumed.log(EventBatch.ofMetrics(List.of(metric("loss", 0.5, 2))));
    resumed.close(RunStatus.FINISHED);

    RecordedRun run = RecordingBackendPlugin.recorded(context.runId()).orElseThrow();
    assertThat(run.sessionsOpened()).isEqualTo(2);
    assertThat(run.metrics("loss")).extracting(MetricEvent::step).containsExactly(1L, 2L);
    assertThat(run.status()).contains(RunStatus.FINISHED);
  }

  @Test
  void aResumedSessionReopensAClosedRun() {
    TestBackendContext context = context().build();
    plugin.open(context).close(RunStatus.FAILED);
    RecordedRun run = RecordingBackendPlugin.recorded(context.runId()).orElseThrow();
    assertThat(run.status()).contains(RunStatus.FAILED);

    plugin.open(context.toBuilder().resumed(true).build());

    assertThat(run.status()).as("running again").isEmpty();
    assertThat(run.endTime()).isEmpty();
  }

  private TestBackendContext.Builder context() {
    return TestBackendContext.builder(scratch);
  }

  private static MetricEvent metric(String name, double value, long step) {
    return new MetricEvent(name, value, step, 1_700_000_000_000L + step);
  }
}
