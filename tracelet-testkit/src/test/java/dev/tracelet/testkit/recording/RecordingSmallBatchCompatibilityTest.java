package dev.tracelet.testkit.recording;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.testkit.BackendCompatibilityKit;
import dev.tracelet.testkit.RunReadback;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/**
 * The kit again, with a batch limit of 7 so that the kit has to split every larger batch (the
 * recording backend refuses oversized ones), and with a hand-written {@link RunReadback} over the
 * {@link RecordedRun} — the shape a backend without a read side uses over its mock server.
 */
class RecordingSmallBatchCompatibilityTest extends BackendCompatibilityKit {
  @Override
  protected BackendPlugin plugin() {
    return new RecordingBackendPlugin();
  }

  @Override
  protected Map<String, String> config(Path scratchDir) {
    return Map.of("max_batch_events", "7");
  }

  @Override
  protected RunReadback readback(String runId) {
    return new RecordedRunReadback(RecordingBackendPlugin.recorded(runId).orElseThrow());
  }

  @AfterEach
  void forgetRuns() {
    RecordingBackendPlugin.reset();
  }

  private record RecordedRunReadback(RecordedRun run) implements RunReadback {
    @Override
    public List<MetricPoint> metric(String key) {
      List<MetricPoint> points = new ArrayList<>();
      run.metrics(key)
          .forEach(m -> points.add(new MetricPoint(m.step(), m.timestamp(), m.value())));
      return points;
    }

    @Override
    public Map<String, String> params() {
      Map<String, String> params = new LinkedHashMap<>();
      run.params().forEach((k, v) -> params.put(k, new ParamEvent(k, v).valueAsString()));
      return params;
    }

    @Override
    public Map<String, String> tags() {
      return run.tags();
    }

    @Override
    public Optional<RunStatus> status() {
      return run.status();
    }

    @Override
    public boolean readsArtifacts() {
      return true;
    }

    @Override
    public Optional<byte[]> artifactBytes(String path) {
      int slash = path.indexOf('/');
      return run.artifact(path.substring(0, slash))
          .flatMap(a -> a.fileBytes(path.substring(slash + 1)));
    }
  }
}
