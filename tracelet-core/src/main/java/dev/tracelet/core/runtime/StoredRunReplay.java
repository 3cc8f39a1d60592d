package dev.tracelet.core.runtime;

import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.plugin.Failures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Sends a {@link StoredRun} into a started experiment as the run's own program would have logged
 * it: parameters, tags, then every metric point with its original step and timestamp, then the
 * artifacts. The caller starts the experiment (on the target backend only) and ends it.
 *
 * <p>Logging never blocks, so a full queue would drop events; this sender flushes instead whenever
 * it has queued half the queue's capacity, so the queue never fills and the backend gets full
 * batches without waiting for the linger time. It stops early, saying why, when the backend loses
 * events (it refused them or stayed down) or a flush times out ({@code shutdown_timeout}).
 */
public final class StoredRunReplay {
  /**
   * What was handed to the experiment.
   *
   * @param events events queued (parameters, tags with a value, metric points)
   * @param artifacts artifacts the backend took
   * @param problem why the replay stopped early or an artifact failed; null when all went out
   */
  public record Sent(long events, int artifacts, @Nullable String problem) {}

  private final DefaultExperiment experiment;
  private final int window;

  /**
   * @param queueCapacity events the experiment's queue holds (from {@code queue_memory})
   */
  public StoredRunReplay(DefaultExperiment experiment, int queueCapacity) {
    this.experiment = experiment;
    this.window = Math.max(1, queueCapacity / 2);
  }

  /** Sends everything of {@code run}; {@code source} is the store its artifact files come from. */
  public Sent send(StoredRun run, RunStore source) {
    Gate gate = new Gate();
    for (Map.Entry<String, Object> p : run.params().entrySet()) {
      if (!gate.pass()) {
        return new Sent(gate.queued, 0, gate.problem);
      }
      experiment.logParams(Collections.singletonMap(p.getKey(), p.getValue()));
    }
    for (Map.Entry<String, String> tag : run.valueTags().entrySet()) {
      if (!gate.pass()) {
        return new Sent(gate.queued, 0, gate.problem);
      }
      experiment.setTag(tag.getKey(), tag.getValue());
    }
    for (MetricEvent point : run.points()) {
      if (!gate.pass()) {
        return new Sent(gate.queued, 0, gate.problem);
      }
      experiment.replayMetric(point);
    }
    int artifacts = 0;
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, List<String>> a : run.artifacts().entrySet()) {
      try {
        if (!experiment.logArtifact(artifact(run, a.getKey(), a.getValue(), source)).isEmpty()) {
          artifacts++;
        }
      } catch (RuntimeException e) {
        failures.add("artifact '" + a.getKey() + "': " + Failures.describe(e));
      }
    }
    return new Sent(
        gate.queued, artifacts, failures.isEmpty() ? null : String.join("; ", failures));
  }

  /** Lets events through, flushing after every window of them. */
  private final class Gate {
    long queued;
    private int sinceFlush;
    @Nullable String problem;

    /** Counts one more event; false (and {@link #problem} set) when the replay must stop. */
    boolean pass() {
      if (sinceFlush == window) {
        problem = flushed();
        if (problem != null) {
          return false;
        }
        sinceFlush = 0;
      }
      sinceFlush++;
      queued++;
      return true;
    }
  }

  /** Flushes; returns why the replay must stop, or null when everything so far was delivered. */
  private @Nullable String flushed() {
    experiment.flush();
    DeliveryReport report = experiment.deliveryReport();
    for (BackendDelivery d : report.backends()) {
      if (d.lost() > 0 && d.lastError() != null) {
        return d.lastError();
      }
    }
    return report.complete() ? null : report.toString();
  }

  private static TraceletArtifact artifact(
      StoredRun run, String name, List<String> inside, RunStore source) {
    // The read side does not say an artifact's type; one file's name usually does.
    ArtifactType type =
        inside.size() == 1 ? ArtifactType.inferFromFileName(inside.get(0)) : ArtifactType.CUSTOM;
    TraceletArtifact a = new TraceletArtifact(name, type, "copied by tracelet sync");
    for (String path : inside) {
      a.addFile(source.artifactPath(run.info().runId(), name + "/" + path), path, null);
    }
    return a;
  }
}
