package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.RunManifest;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend's own offline mode, W&amp;B's {@code WANDB_MODE=offline}: the core keeps that backend
 * offline (journal and manifest) so that {@code tracelet sync --to wandb} delivers the run, even
 * while the variable is still set. The W&amp;B plugin's stub server lives in the plugin's tests,
 * out of the core's reach; here a fake named {@code wandb} declares the plugin's {@code mode} key
 * and variable, which is all the core looks at.
 */
class OfflineBackendModeTest {
  @TempDir Path dir;
  private TraceletEngine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  /** Declares {@code mode} with {@code WANDB_MODE}, as the W&amp;B plugin does. */
  private static final class WandbLike implements BackendPlugin {
    private final FakeBackend fake;

    WandbLike(FakeBackend fake) {
      this.fake = fake;
    }

    @Override
    public PluginMetadata metadata() {
      return fake.metadata();
    }

    @Override
    public List<ConfigKey> configKeys() {
      return List.of(
          new ConfigKey("mode", "online or offline", "online", false, List.of("WANDB_MODE")));
    }

    @Override
    public BackendSession open(BackendContext context) {
      return fake.open(context);
    }
  }

  private FakeBackend wandb(Map<String, String> env) {
    Map<String, String> props = new HashMap<>();
    props.put("tracelet.plugins_dir", dir.resolve("no-plugins").toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.journal_dir", dir.resolve("journal").toString());
    engine = TraceletEngine.create(new SettingsSources(env, props, dir, null));
    FakeBackend fake = new FakeBackend("wandb");
    engine
        .registry()
        .register(
            new RegisteredBackend(
                "wandb", new WandbLike(fake), getClass().getClassLoader(), null, "test"));
    return fake;
  }

  /**
   * Logs 100 points and a parameter. The fake joined the registry after the engine read its
   * settings; a start config makes the engine read them again with the fake's keys, as it reads a
   * plugin found in the plugins folder from the start.
   */
  private Experiment logRun() {
    Experiment exp =
        engine.startExperiment(
            StartOptions.builder("train")
                .project("vision")
                .backends("wandb")
                .config(Map.of("project", "vision"))
                .build());
    for (int i = 0; i < 100; i++) {
      exp.logMetric("loss", 1.0 / (i + 1), i);
    }
    exp.logParams(Map.of("lr", 0.01));
    ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    return exp;
  }

  @Test
  void wandbModeOfflineKeepsTheRunForSyncWhichDeliversItOnline() {
    FakeBackend fake = wandb(Map.of("WANDB_MODE", "offline"));
    Experiment exp = logRun();

    assertThat(fake.contexts).as("offline: the backend is never opened").isEmpty();
    List<RunManifest> pending = engine.offlineRuns();
    assertThat(pending).hasSize(1);
    assertThat(pending.get(0).backend()).isEqualTo("wandb");
    assertThat(pending.get(0).runId()).isEqualTo(exp.id());

    List<long[]> progress = new CopyOnWriteArrayList<>();
    DeliveryReport report = engine.sync(pending.get(0), (d, t) -> progress.add(new long[] {d, t}));

    assertThat(report.complete()).as(report.toString()).isTrue();
    assertThat(fake.values("loss")).hasSize(100);
    assertThat(fake.params).hasSize(1);
    assertThat(fake.closed).containsExactly(RunStatus.FINISHED);
    // WANDB_MODE is still offline in this process; the sync told the backend to deliver.
    assertThat(fake.contexts.get(0).config()).containsEntry("mode", "online");
    assertThat(fake.contexts.get(0).runId()).isEqualTo(exp.id());
    assertThat(engine.offlineRuns()).isEmpty();
    // Journal replay progress: delivered never goes back, and ends at the journal's size.
    assertThat(progress).isNotEmpty();
    for (int i = 1; i < progress.size(); i++) {
      assertThat(progress.get(i)[0]).isGreaterThanOrEqualTo(progress.get(i - 1)[0]);
    }
    assertThat(progress.get(progress.size() - 1)).containsExactly(101, 101);
  }

  @Test
  void dryrunIsOfflineToo() {
    FakeBackend fake = wandb(Map.of("WANDB_MODE", "dryrun"));
    logRun();

    assertThat(fake.contexts).isEmpty();
    assertThat(engine.offlineRuns()).extracting(RunManifest::backend).containsExactly("wandb");
  }

  @Test
  void withoutTheVariableTheBackendIsReachedLive() {
    FakeBackend fake = wandb(Map.of());
    logRun();

    assertThat(fake.contexts).hasSize(1);
    assertThat(fake.values("loss")).hasSize(100);
    assertThat(engine.offlineRuns()).isEmpty();
  }
}
