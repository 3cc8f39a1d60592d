package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.Tracelet;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.testkit.recording.RecordedRun;
import dev.tracelet.testkit.recording.RecordingBackendPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The static facade end to end: ServiceLoader finds the core runtime, the recording backend is
 * found on the class path through its PF4J extension index, and events arrive.
 */
class TraceletFacadeTest {
  @TempDir Path dir;

  private static StartOptions.Builder options(String name) {
    return StartOptions.builder(name)
        .backends(RecordingBackendPlugin.NAME)
        .config(Map.of("track_system", false));
  }

  private static RecordedRun recorded(Experiment exp) {
    return RecordingBackendPlugin.recorded(exp.id()).orElseThrow();
  }

  @Test
  void tryWithResourcesFinishesTheRunWithEverythingDelivered() {
    Experiment exp;
    try (Experiment e = Tracelet.startLogging(options("facade").project("p").build())) {
      exp = e;
      assertThat(Tracelet.activeExperiment()).containsSame(e);
      e.logParams(Map.of("lr", 0.01, "layers", 3));
      for (int epoch = 0; epoch < 10; epoch++) {
        e.logMetric("loss", 1.0 / (epoch + 1), epoch);
      }
      e.setTag("stage", "test");
    }
    RecordedRun run = recorded(exp);
    assertThat(run.metrics("loss")).hasSize(10);
    assertThat(run.params()).containsEntry("lr", 0.01).containsEntry("layers", 3L);
    assertThat(run.tags()).containsEntry("stage", "test");
    assertThat(run.status()).contains(RunStatus.FINISHED);
    assertThat(run.project()).isEqualTo("p");
    assertThat(Tracelet.activeExperiment()).isEmpty();
  }

  @Test
  void aBlockThatThrowsEndsTheRunFailedAndRethrows() {
    AtomicReference<Experiment> seen = new AtomicReference<>();
    IllegalStateException boom = new IllegalStateException("diverged at epoch 3");
    assertThatThrownBy(
            () ->
                Tracelet.run(
                    options("failing").build(),
                    exp -> {
                      seen.set(exp);
                      exp.logMetric("loss", 1.0, 0);
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(seen.get().status()).isEqualTo(RunStatus.FAILED);
    RecordedRun run = recorded(seen.get());
    assertThat(run.status()).contains(RunStatus.FAILED);
    assertThat(run.metrics("loss")).hasSize(1);
    assertThat(run.tags().get("tracelet.failure")).contains("diverged at epoch 3");
  }

  @Test
  void aBlockThatReturnsEndsTheRunFinished() throws IOException {
    AtomicReference<Experiment> seen = new AtomicReference<>();
    Tracelet.run(options("ok").build(), exp -> seen.set(exp));
    assertThat(recorded(seen.get()).status()).contains(RunStatus.FINISHED);
  }

  @Test
  void artifactsReachTheBackendWithTheirBytes() throws IOException {
    Path model = Files.writeString(dir.resolve("weights.json"), "{\"w\":[1,2,3]}");
    try (Experiment exp = Tracelet.startLogging(options("artifacts").build())) {
      Map<String, ArtifactResult> results =
          exp.logArtifact(
              exp.createArtifact("model", ArtifactType.MODEL, "weights")
                  .addFile(model, "weights.json", null)
                  .addObject(Map.of("epochs", 3), "config.json", "json", null));
      assertThat(results).containsOnlyKeys(RecordingBackendPlugin.NAME);
      exp.flush();
      var artifact = recorded(exp).artifact("model").orElseThrow();
      assertThat(new String(artifact.fileBytes("weights.json").orElseThrow()))
          .isEqualTo("{\"w\":[1,2,3]}");
      assertThat(new String(artifact.fileBytes("config.json").orElseThrow()))
          .contains("\"epochs\" : 3");
    }
  }

  @Test
  void settingsAreTheRuntimesEffectiveSettings() {
    // The facade's engine reads this process's sources: the defaults, as no tracelet.* is set.
    assertThat(Tracelet.settings().project()).isEqualTo("default");
    assertThat(Tracelet.settings().backends()).containsExactly("local");
  }

  @Test
  void capturesHyperparametersFromARecord() {
    record Hp(double lr, int batch, String optimizer) {}
    try (Experiment exp = Tracelet.startLogging(options("capture").build())) {
      Map<String, Object> captured = exp.captureHyperparams(new Hp(0.1, 64, "adam"));
      assertThat(captured)
          .containsEntry("lr", 0.1)
          .containsEntry("batch", 64)
          .containsEntry("optimizer", "adam");
      exp.captureDataset(java.util.List.of(1, 2, 3));
      exp.flush();
      assertThat(recorded(exp).params())
          .containsEntry("batch", 64L)
          .containsEntry("dataset.size", 3L)
          .containsKey("dataset.fingerprint");
    }
  }
}
