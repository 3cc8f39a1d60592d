package dev.tracelet.testkit.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.ExperimentNotFoundException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recording backend's read side, as a host test that loaded it from its JAR would use it. */
class RecordingStoreTest {
  @TempDir Path scratch;

  private final RecordingBackendPlugin plugin = new RecordingBackendPlugin();

  @AfterEach
  void forgetRuns() {
    RecordingBackendPlugin.reset();
  }

  @Test
  void getRunReportsInfoLatestValuesTagsAndArtifacts() throws Exception {
    TestBackendContext context =
        TestBackendContext.builder(scratch).experimentName("bert").project("nlp").build();
    BackendSession session = plugin.open(context);
    session.log(
        new EventBatch(
            List.of(metric("loss", 0.5, 1), metric("loss", 0.25, 2)),
            List.of(new ParamEvent("layers", 12L), new ParamEvent("dims", List.of(1L, 2L))),
            List.of(new TagEvent("stage", "train"))));
    Path file = Files.writeString(scratch.resolve("cfg.json"), "{}");
    session.logArtifact(
        new TraceletArtifact("config", ArtifactType.CONFIG, null).addFile(file, "cfg.json", null));
    RunStore store = store();

    RunDetails open = store.getRun(context.runId()).orElseThrow();
    assertThat(open.info().status()).isEqualTo(RunStatus.RUNNING);
    assertThat(open.info().endTime()).isNull();

    session.close(RunStatus.FAILED);
    RunDetails details = store.getRun(context.runId()).orElseThrow();
    assertThat(details.info())
        .extracting(RunInfo::runId, RunInfo::experimentId, RunInfo::name, RunInfo::status)
        .containsExactly(context.runId(), "nlp", "bert", RunStatus.FAILED);
    assertThat(details.info().startTime()).isEqualTo(context.startTime());
    assertThat(details.info().endTime()).isNotNull();
    assertThat(details.params()).containsEntry("layers", "12").containsEntry("dims", "[1, 2]");
    assertThat(details.metrics()).containsExactly(Map.entry("loss", 0.25));
    assertThat(details.tags()).containsExactly(Map.entry("stage", "train"));
    assertThat(details.artifacts()).containsExactly("config/cfg.json");
    assertThat(store.getRun("unknown")).isEmpty();
  }

  @Test
  void metricHistoryIsInStepOrderThenTimeOrder() {
    TestBackendContext context = TestBackendContext.builder(scratch).build();
    BackendSession session = plugin.open(context);
    session.log(
        EventBatch.ofMetrics(
            List.of(
                new MetricEvent("loss", 3.0, 2, 20),
                new MetricEvent("loss", 1.0, 1, 30),
                new MetricEvent("loss", 2.0, 2, 10),
                new MetricEvent("other", 9.0, 0, 0))));

    assertThat(store().metricHistory(context.runId(), "loss"))
        .containsExactly(
            new MetricPoint(1, 30, 1.0), new MetricPoint(2, 10, 2.0), new MetricPoint(2, 20, 3.0));
    assertThat(store().metricHistory(context.runId(), "absent")).isEmpty();
    assertThatThrownBy(() -> store().metricHistory("unknown", "loss"))
        .isInstanceOf(RunNotFoundException.class)
        .hasMessageContaining("unknown");
  }

  @Test
  void artifactPathWritesTheRecordedBytesToAFile() throws Exception {
    TestBackendContext context = TestBackendContext.builder(scratch).build();
    Path file = Files.write(scratch.resolve("w.bin"), new byte[] {7, 8, 9});
    plugin
        .open(context)
        .logArtifact(
            new TraceletArtifact("model", ArtifactType.MODEL, null)
                .addFile(file, "dir/w.bin", null));
    Files.delete(file);

    Path read = store().artifactPath(context.runId(), "model/dir/w.bin");

    assertThat(read).hasBinaryContent(new byte[] {7, 8, 9});
    assertThatThrownBy(() -> store().artifactPath(context.runId(), "model/other.bin"))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining("dir/w.bin");
    assertThatThrownBy(() -> store().artifactPath(context.runId(), "absent/w.bin"))
        .isInstanceOf(ArtifactNotFoundException.class);
    assertThatThrownBy(() -> store().artifactPath(context.runId(), "../escape"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void experimentsAreTheProjectsOfRecordedRuns() {
    TestBackendContext a = TestBackendContext.builder(scratch).project("vision").build();
    TestBackendContext b = TestBackendContext.builder(scratch).project("nlp").build();
    TestBackendContext c = TestBackendContext.builder(scratch).project("vision").build();
    plugin.open(a);
    plugin.open(b);
    plugin.open(c);
    RunStore store = store();

    assertThat(store.listExperiments())
        .extracting(ExperimentInfo::name)
        .containsExactly("vision", "nlp");
    assertThat(store.getOrCreateExperiment("vision")).isEqualTo("vision");
    assertThat(store.experimentRuns("vision", Sort.none()))
        .extracting(RunInfo::runId)
        .containsExactly(a.runId(), c.runId());
    assertThat(store.experimentSummaries(Sort.none()))
        .extracting(s -> s.name() + ":" + s.numRuns())
        .containsExactly("vision:2", "nlp:1");
    assertThatThrownBy(() -> store.experimentRuns("audio", Sort.none()))
        .isInstanceOf(ExperimentNotFoundException.class);
    assertThatThrownBy(() -> store.experimentRuns("vision", Sort.by("start_time")))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("Sort.none()");
  }

  @Test
  void deleteRunForgetsIt() {
    TestBackendContext context = TestBackendContext.builder(scratch).build();
    plugin.open(context);

    store().deleteRun(context.runId());

    assertThat(RecordingBackendPlugin.recorded(context.runId())).isEmpty();
    assertThatThrownBy(() -> store().deleteRun(context.runId()))
        .isInstanceOf(RunNotFoundException.class);
  }

  @Test
  void saysWhatItDoesNotSupport() {
    RunStore store = store();

    assertThatThrownBy(() -> store.loadResults("default", Sort.none()))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("results tables");
    assertThatThrownBy(store::registry)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("model registry");
  }

  private RunStore store() {
    return plugin.openStore(TestBackendContext.builder(scratch).build()).orElseThrow();
  }

  private static MetricEvent metric(String name, double value, long step) {
    return new MetricEvent(name, value, step, 1_700_000_000_000L + step);
  }
}
