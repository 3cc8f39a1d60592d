package dev.tracelet.cli;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactFile;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.PluginContext;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * A backend for the CLI's tests, named {@code memory}, found on the test class path through its
 * {@code @Extension} index like any class-path backend. PF4J makes a new instance per engine, so
 * the data lives in {@link MemoryStore}s kept by name: each test picks its own with the {@code
 * memory.store} setting, and every engine (every CLI call) of that test sees the same data.
 */
@Extension
public final class MemoryBackend implements BackendPlugin {
  static final Map<String, MemoryStore> STORES = new ConcurrentHashMap<>();

  static MemoryStore store(String name) {
    return STORES.computeIfAbsent(name, n -> new MemoryStore());
  }

  @Override
  public PluginMetadata metadata() {
    return new PluginMetadata(
        "memory", "1.0.0", "in-memory store for CLI tests", PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return List.of(
        new ConfigKey("store", "which in-memory store", "default", false, List.of()),
        new ConfigKey("api_key", "a secret that must never be printed", null, true, List.of()));
  }

  @Override
  public Optional<RunStore> openStore(PluginContext context) {
    return Optional.of(store(context.config().getOrDefault("store", "default")));
  }

  @Override
  public BackendSession open(BackendContext context) {
    MemoryStore store = store(context.config().getOrDefault("store", "default"));
    String experimentId = store.getOrCreateExperiment(context.project());
    store.startRun(
        context.runId(),
        experimentId,
        context.experimentName(),
        context.startTime(),
        context.tags());
    return new Session(store, context.runId());
  }

  private static final class Session implements BackendSession {
    private final MemoryStore store;
    private final String runId;

    Session(MemoryStore store, String runId) {
      this.store = store;
      this.runId = runId;
    }

    @Override
    public BackendCapabilities capabilities() {
      return BackendCapabilities.defaults().withReadSupport(true);
    }

    @Override
    public void log(EventBatch batch) {
      for (ParamEvent p : batch.params()) {
        store.param(runId, p.key(), p.valueAsString());
      }
      for (TagEvent t : batch.tags()) {
        store.tag(runId, t.key(), t.value());
      }
      for (MetricEvent m : batch.metrics()) {
        store.metric(runId, m.name(), m.step(), m.timestamp(), m.value());
      }
    }

    @Override
    public ArtifactResult logArtifact(TraceletArtifact artifact) {
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (ArtifactFile f : artifact.files()) {
        try {
          files.put(f.artifactPath(), Files.readAllBytes(f.localPath()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      store.artifact(runId, artifact.name(), files);
      return new ArtifactResult(
          "memory", "memory://" + runId + "/" + artifact.name(), "1", Map.of());
    }

    @Override
    public Optional<RunStore> store() {
      return Optional.of(store);
    }

    @Override
    public void close(RunStatus status) {
      store.endRun(runId, status, Instant.now());
    }
  }
}
