package dev.tracelet.core;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.settings.SettingsSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A child JVM for {@link ShutdownHookTest}: logs metrics and returns from {@code main} without
 * ending its run. Its backend writes how many points it received and how the run ended to a file
 * the parent reads.
 */
public final class ShutdownHookChild {
  private ShutdownHookChild() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int points = Integer.parseInt(args[1]);
    Path work = Files.createTempDirectory("tracelet-child");
    TraceletEngine engine =
        TraceletEngine.create(
            new SettingsSources(
                Map.of(),
                Map.of(
                    "tracelet.plugins_dir", work.resolve("none").toString(),
                    "tracelet.track_system", "false",
                    "tracelet.flush_interval", "1h",
                    "tracelet.batch_size", "1000000"),
                work,
                null));
    engine
        .registry()
        .register(
            new RegisteredBackend(
                "file",
                new FileBackend(out),
                ShutdownHookChild.class.getClassLoader(),
                null,
                "test"));
    Experiment exp =
        engine.startExperiment(StartOptions.builder("abandoned").backends("file").build());
    for (int i = 0; i < points; i++) {
      exp.logMetric("m", i, i);
    }
    System.out.println("logged " + points);
    // No stop(), no close(): the JVM exits and the shutdown hook must end the run.
  }

  /** Counts points and writes "<count> <status>" when the run ends. */
  static final class FileBackend implements BackendPlugin {
    private final Path out;

    FileBackend(Path out) {
      this.out = out;
    }

    @Override
    public PluginMetadata metadata() {
      return new PluginMetadata("file", "1.0.0", "writes a summary file", PluginType.BACKEND);
    }

    @Override
    public BackendSession open(BackendContext context) {
      return new BackendSession() {
        private long points;

        @Override
        public BackendCapabilities capabilities() {
          return BackendCapabilities.defaults().withMaxBatchEvents(1_000_000);
        }

        @Override
        public void log(EventBatch batch) {
          points += batch.metrics().size();
        }

        @Override
        public ArtifactResult logArtifact(TraceletArtifact artifact) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Optional<RunStore> store() {
          return Optional.empty();
        }

        @Override
        public void close(RunStatus status) {
          try {
            Files.writeString(out, points + " " + status);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
    }
  }
}
