package dev.tracelet.core;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.plugin.RegisteredBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend whose behaviour a test controls: block on a latch, throw, go slow; and record. */
public final class FakeBackend implements BackendPlugin {
  public final String name;
  public final List<MetricEvent> metrics = new CopyOnWriteArrayList<>();
  public final List<ParamEvent> params = new CopyOnWriteArrayList<>();
  public final List<TagEvent> tags = new CopyOnWriteArrayList<>();
  public final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  public final List<String> artifacts = new CopyOnWriteArrayList<>();
  public final Map<String, String> artifactFileContents =
      new java.util.concurrent.ConcurrentHashMap<>();
  public volatile boolean failArtifacts;
  public final List<RunStatus> closed = new CopyOnWriteArrayList<>();
  public final List<BackendContext> contexts = new CopyOnWriteArrayList<>();
  public final AtomicInteger logCalls = new AtomicInteger();
  public final AtomicInteger concurrentCalls = new AtomicInteger();
  public final AtomicInteger maxConcurrentCalls = new AtomicInteger();

  public volatile CountDownLatch gate = new CountDownLatch(0);
  public volatile CountDownLatch openGate = new CountDownLatch(0);
  public volatile int failFirstLogs;
  public volatile boolean failAlways;
  public volatile boolean rejectInvalid;

  /** When set, a batch holding a metric of this name is refused as unstorable. */
  public volatile String rejectMetric;

  public volatile boolean failOpen;
  public volatile boolean failClose;
  public volatile long sleepPerLogMillis;
  public volatile int maxBatch = 1_000;

  public FakeBackend(String name) {
    this.name = name;
  }

  public RegisteredBackend registered() {
    return new RegisteredBackend(name, this, getClass().getClassLoader(), null, "test");
  }

  @Override
  public PluginMetadata metadata() {
    return new PluginMetadata(name, "1.0.0", "fake backend for tests", PluginType.BACKEND);
  }

  @Override
  public BackendSession open(BackendContext context) {
    await(openGate);
    if (failOpen) {
      throw new IllegalStateException("open refused by test");
    }
    contexts.add(context);
    return new Session();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test latch never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public List<Double> values(String metric) {
    List<Double> out = new ArrayList<>();
    for (MetricEvent m : metrics) {
      if (m.name().equals(metric)) {
        out.add(m.value());
      }
    }
    return out;
  }

  final class Session implements BackendSession {
    @Override
    public BackendCapabilities capabilities() {
      return BackendCapabilities.defaults().withMaxBatchEvents(maxBatch);
    }

    @Override
    public void log(EventBatch batch) {
      int now = concurrentCalls.incrementAndGet();
      maxConcurrentCalls.accumulateAndGet(now, Math::max);
      try {
        logCalls.incrementAndGet();
        await(gate);
        String poison = rejectMetric;
        if (poison != null && batch.metrics().stream().anyMatch(m -> m.name().equals(poison))) {
          throw new IllegalArgumentException("backend " + name + " cannot store " + poison);
        }
        if (rejectInvalid) {
          throw new IllegalArgumentException("backend " + name + " cannot store this batch");
        }
        if (failAlways) {
          throw new IllegalStateException("backend " + name + " is down");
        }
        if (failFirstLogs > 0) {
          failFirstLogs--;
          throw new IllegalStateException("transient failure");
        }
        if (sleepPerLogMillis > 0) {
          Thread.sleep(sleepPerLogMillis);
        }
        batchSizes.add(batch.size());
        metrics.addAll(batch.metrics());
        params.addAll(batch.params());
        tags.addAll(batch.tags());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        concurrentCalls.decrementAndGet();
      }
    }

    @Override
    public ArtifactResult logArtifact(TraceletArtifact artifact) {
      if (failArtifacts || failAlways) {
        throw new IllegalStateException("backend " + name + " cannot take artifacts now");
      }
      artifacts.add(artifact.name());
      for (var f : artifact.files()) {
        try {
          artifactFileContents.put(
              artifact.name() + "/" + f.artifactPath(),
              java.nio.file.Files.readString(f.localPath()));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      return new ArtifactResult(name, "fake://" + artifact.name(), "1", Map.of());
    }

    @Override
    public Optional<RunStore> store() {
      return Optional.empty();
    }

    @Override
    public void close(RunStatus status) {
      closed.add(status);
      if (failClose) {
        throw new IllegalStateException("close refused by test");
      }
    }
  }
}
