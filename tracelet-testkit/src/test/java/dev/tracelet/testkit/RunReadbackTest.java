package dev.tracelet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.testkit.recording.RecordingBackendPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReadbackTest {
  @TempDir Path scratch;

  private final RecordingBackendPlugin plugin = new RecordingBackendPlugin();

  @AfterEach
  void forgetRuns() {
    RecordingBackendPlugin.reset();
  }

  @Test
  void fromStoreReadsWhatTheStoreHolds() throws Exception {
    TestBackendContext context = TestBackendContext.builder(scratch).build();
    BackendSession session = plugin.open(context);
    session.log(
        new EventBatch(
            List.of(new MetricEvent("loss", 0.5, 3, 42)),
            List.of(new ParamEvent("lr", 0.1)),
            List.of(new TagEvent("t", "v"))));
    Path file = Files.write(scratch.resolve("f.bin"), new byte[] {1, 2});
    session.logArtifact(
        new TraceletArtifact("art", ArtifactType.CUSTOM, null).addFile(file, "x/f.bin", null));
    session.close(RunStatus.KILLED);

    RunReadback readback = RunReadback.fromStore(store(), context.runId());

    assertThat(readback.metric("loss")).containsExactly(new MetricPoint(3, 42, 0.5));
    assertThat(readback.params()).containsEntry("lr", "0.1");
    assertThat(readback.tags()).containsEntry("t", "v");
    assertThat(readback.status()).contains(RunStatus.KILLED);
    assertThat(readback.readsArtifacts()).isTrue();
    assertThat(readback.artifactBytes("art/x/f.bin"))
        .hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2));
    assertThat(readback.artifactBytes("art/missing.bin")).isEmpty();
  }

  @Test
  void fromStoreFailsLoudlyForARunTheStoreDoesNotKnow() {
    RunReadback readback = RunReadback.fromStore(store(), "lost-run");

    assertThatThrownBy(readback::params)
        .isInstanceOf(RunNotFoundException.class)
        .hasMessageContaining("lost-run");
    assertThatThrownBy(readback::status).isInstanceOf(RunNotFoundException.class);
  }

  @Test
  void withoutArtifactsKeepsEverythingElse() {
    TestBackendContext context = TestBackendContext.builder(scratch).build();
    BackendSession session = plugin.open(context);
    session.log(
        new EventBatch(
            List.of(new MetricEvent("loss", 0.5, 1, 7)),
            List.of(new ParamEvent("p", "q")),
            List.of(new TagEvent("t", "v"))));
    session.close(RunStatus.FINISHED);

    RunReadback readback = RunReadback.fromStore(store(), context.runId()).withoutArtifacts();

    assertThat(readback.readsArtifacts()).isFalse();
    assertThat(readback.artifactBytes("anything")).isEmpty();
    assertThat(readback.metric("loss")).containsExactly(new MetricPoint(1, 7, 0.5));
    assertThat(readback.params()).containsEntry("p", "q");
    assertThat(readback.tags()).containsEntry("t", "v");
    assertThat(readback.status()).contains(RunStatus.FINISHED);
  }

  private RunStore store() {
    return plugin.openStore(TestBackendContext.builder(scratch).build()).orElseThrow();
  }
}
