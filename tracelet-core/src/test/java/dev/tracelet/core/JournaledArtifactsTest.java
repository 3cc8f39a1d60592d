package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.RunManifest;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artifacts reach a backend that was offline or down: the journal keeps them, with a copy of their
 * files (the caller's may be gone by then), in order with the run's events.
 */
class JournaledArtifactsTest {
  @TempDir Path dir;
  private TraceletEngine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void anOfflineRunsArtifactIsSyncedWithItsFileAndExactlyOnce() throws IOException {
    FakeBackend local = new FakeBackend("local");
    FakeBackend remote = new FakeBackend("remote");
    engine = EngineFixture.engine(dir, Map.of("tracelet.mode", "offline"), local, remote);
    Experiment exp =
        engine.startExperiment(StartOptions.builder("train").backends("local", "remote").build());
    exp.logMetric("loss", 0.5, 0);
    Path weights = Files.writeString(dir.resolve("weights.bin"), "trained-weights");
    Map<String, ArtifactResult> results = exp.logArtifact(weights);
    exp.logMetric("loss", 0.25, 1);
    ((DefaultExperiment) exp).end(RunStatus.FINISHED);

    assertThat(results.get("local").version()).isNotEqualTo("pending");
    assertThat(results.get("remote").version()).isEqualTo("pending");
    assertThat(remote.contexts).isEmpty();
    Files.delete(weights); // the training job cleaned up before anyone synced

    RunManifest m = engine.offlineRuns().get(0);
    DeliveryReport synced = engine.sync(m);
    assertThat(synced.complete()).as(synced.toString()).isTrue();
    assertThat(remote.artifacts).containsExactly("weights.bin");
    assertThat(remote.artifactFileContents)
        .containsEntry("weights.bin/weights.bin", "trained-weights");
    assertThat(remote.values("loss")).containsExactly(0.5, 0.25);
    assertThat(engine.offlineRuns()).isEmpty();
    assertThat(dir.resolve("journal").resolve(exp.id())).doesNotExist();
  }

  @Test
  void anArtifactLoggedWhileTheBackendIsDownArrivesWhenItIsBack() throws IOException {
    FakeBackend flaky = new FakeBackend("flaky");
    flaky.failAlways = true;
    engine = EngineFixture.engine(dir, Map.of("tracelet.batch_size", "10"), flaky);
    Experiment exp = engine.startExperiment(StartOptions.builder("t").backends("flaky").build());
    for (int i = 0; i < 50; i++) {
      exp.logMetric("m", i, i);
    }
    exp.flush(); // the backend failed every retry: the circuit is open, events are journaled
    Path file = Files.writeString(dir.resolve("model.txt"), "v1");
    Map<String, ArtifactResult> r = exp.logArtifact(file);
    assertThat(r.get("flaky").version()).isEqualTo("pending");
    assertThat(flaky.artifacts).isEmpty();

    flaky.failAlways = false;
    exp.logMetric("m", 50, 50);
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.complete()).as(report.toString()).isTrue();
    assertThat(flaky.artifacts).containsExactly("model.txt");
    assertThat(flaky.artifactFileContents).containsEntry("model.txt/model.txt", "v1");
    assertThat(flaky.metrics).hasSize(51);
  }
}
