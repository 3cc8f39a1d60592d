package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.RunManifest;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mode=offline}: a remote backend is never contacted while the run lasts; its events wait in
 * the journal with the run's manifest, and a sync replays them once, in order.
 */
class OfflineSyncTest {
  @TempDir Path dir;
  private TraceletEngine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void anOfflineRunIsKeptThenSyncedExactlyOnce() {
    FakeBackend local = new FakeBackend("local");
    FakeBackend remote = new FakeBackend("remote");
    engine = EngineFixture.engine(dir, Map.of("tracelet.mode", "offline"), local, remote);
    Experiment exp =
        engine.startExperiment(
            StartOptions.builder("train")
                .project("vision")
                .backends("local", "remote")
                .tags("a")
                .build());
    for (int i = 0; i < 250; i++) {
      exp.logMetric("loss", i, i);
    }
    exp.logParams(Map.of("lr", 0.1));
    DeliveryReport offline = ((DefaultExperiment) exp).end(RunStatus.FAILED);

    // The local store got everything now; the remote backend was never opened.
    assertThat(local.metrics).hasSize(250);
    assertThat(remote.contexts).isEmpty();
    assertThat(offline.backends().get(1).journaled()).isEqualTo(251);
    List<RunManifest> pending = engine.offlineRuns();
    assertThat(pending).hasSize(1);
    RunManifest m = pending.get(0);
    assertThat(m.runId()).isEqualTo(exp.id());
    assertThat(m.backend()).isEqualTo("remote");
    assertThat(m.status()).isEqualTo(RunStatus.FAILED);
    assertThat(m.project()).isEqualTo("vision");

    DeliveryReport synced = engine.sync(m);
    assertThat(synced.complete()).as(synced.toString()).isTrue();
    assertThat(remote.values("loss"))
        .isEqualTo(IntStream.range(0, 250).mapToObj(i -> (double) i).toList());
    assertThat(remote.params).hasSize(1);
    assertThat(remote.closed).containsExactly(RunStatus.FAILED);
    var ctx = remote.contexts.get(0);
    assertThat(ctx.runId()).isEqualTo(exp.id());
    assertThat(ctx.resumed()).isTrue();
    assertThat(ctx.experimentName()).isEqualTo("train");
    assertThat(ctx.project()).isEqualTo("vision");
    assertThat(ctx.tags()).containsExactly("a");

    // Syncing again finds nothing: no second run, no duplicated point.
    assertThat(engine.offlineRuns()).isEmpty();
    assertThat(dir.resolve("journal").resolve(exp.id())).doesNotExist();
    assertThat(remote.metrics).hasSize(250);
  }

  @Test
  void aSyncThatCannotReachTheBackendKeepsEverythingForTheNextOne() {
    FakeBackend remote = new FakeBackend("remote");
    engine = EngineFixture.engine(dir, Map.of("tracelet.mode", "offline"), remote);
    Experiment exp = engine.startExperiment(StartOptions.builder("t").backends("remote").build());
    for (int i = 0; i < 10; i++) {
      exp.logMetric("m", i, i);
    }
    exp.stop();
    RunManifest m = engine.offlineRuns().get(0);

    remote.failAlways = true;
    DeliveryReport failed = engine.sync(m);
    assertThat(failed.complete()).isFalse();
    assertThat(failed.backends().get(0).journaled()).isEqualTo(10);
    assertThat(engine.offlineRuns()).hasSize(1);

    remote.failAlways = false;
    assertThat(engine.sync(engine.offlineRuns().get(0)).complete()).isTrue();
    assertThat(remote.values("m")).hasSize(10);
    assertThat(engine.offlineRuns()).isEmpty();
  }
}
