package dev.tracelet.testkit.recording;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Everything the recording backend received for one Tracelet run: each {@link EventBatch} in
 * delivery order, artifacts with their bytes, and how the run was closed.
 *
 * <p>Thread-safe: a dispatcher worker writes while a test reads. Every accessor returns an
 * immutable snapshot taken under the run's lock, so a test never sees half a batch. To wait for
 * delivery without sleeping, use {@link #await(Predicate, Duration)} or {@link
 * #awaitClosed(Duration)}.
 *
 * <p>A session opened with {@link BackendContext#resumed()} on a run already recorded continues
 * this same record: its batches are appended and the run counts as running again until closed.
 */
public final class RecordedRun {
  private final String runId;
  private final String experimentName;
  private final String project;
  private final List<String> contextTags;
  private final Instant startTime;
  private final Map<String, String> config;

  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private final List<EventBatch> batches = new ArrayList<>();
  private final List<RecordedArtifact> artifacts = new ArrayList<>();
  private final Map<String, Integer> artifactVersions = new LinkedHashMap<>();
  private int sessionsOpened = 1;
  private @Nullable RunStatus status;
  private @Nullable Instant endTime;
  private int closeCalls;
  private boolean closedMoreThanOnce;

  RecordedRun(BackendContext context) {
    this.runId = context.runId();
    this.experimentName = context.experimentName();
    this.project = context.project();
    this.contextTags = List.copyOf(context.tags());
    this.startTime = context.startTime();
    this.config = Map.copyOf(context.config());
  }

  /** Tracelet's run id, as {@link BackendContext#runId()} gave it. */
  public String runId() {
    return runId;
  }

  public String experimentName() {
    return experimentName;
  }

  public String project() {
    return project;
  }

  /** The run's labels from {@link BackendContext#tags()} (not the key/value {@link #tags()}). */
  public List<String> contextTags() {
    return contextTags;
  }

  public Instant startTime() {
    return startTime;
  }

  /** The backend settings the first session was opened with. */
  public Map<String, String> config() {
    return config;
  }

  /** Every batch delivered, in delivery order, empty batches included. */
  public List<EventBatch> batches() {
    synchronized (lock) {
      return List.copyOf(batches);
    }
  }

  /** Every metric point of every batch, in delivery order. */
  public List<MetricEvent> metrics() {
    synchronized (lock) {
      List<MetricEvent> all = new ArrayList<>();
      batches.forEach(b -> all.addAll(b.metrics()));
      return List.copyOf(all);
    }
  }

  /** The points of one metric, in delivery order; empty if it never arrived. */
  public List<MetricEvent> metrics(String key) {
    synchronized (lock) {
      List<MetricEvent> points = new ArrayList<>();
      for (EventBatch b : batches) {
        for (MetricEvent m : b.metrics()) {
          if (m.name().equals(key)) {
            points.add(m);
          }
        }
      }
      return List.copyOf(points);
    }
  }

  /** The last value delivered for each parameter, in order of first delivery. */
  public Map<String, Object> params() {
    synchronized (lock) {
      Map<String, Object> params = new LinkedHashMap<>();
      for (EventBatch b : batches) {
        for (ParamEvent p : b.params()) {
          params.put(p.key(), p.value());
        }
      }
      return Collections.unmodifiableMap(params);
    }
  }

  /** The last value delivered for each tag, in order of first delivery. */
  public Map<String, String> tags() {
    synchronized (lock) {
      Map<String, String> tags = new LinkedHashMap<>();
      for (EventBatch b : batches) {
        for (TagEvent t : b.tags()) {
          tags.put(t.key(), t.value());
        }
      }
      return Collections.unmodifiableMap(tags);
    }
  }

  /** Every artifact delivered, in delivery order. */
  public List<RecordedArtifact> artifacts() {
    synchronized (lock) {
      return List.copyOf(artifacts);
    }
  }

  /** The latest artifact called {@code name}, if one arrived. */
  public Optional<RecordedArtifact> artifact(String name) {
    synchronized (lock) {
      for (int i = artifacts.size() - 1; i >= 0; i--) {
        if (artifacts.get(i).name().equals(name)) {
          return Optional.of(artifacts.get(i));
        }
      }
      return Optional.empty();
    }
  }

  /** The status the current session was closed with; empty while it is open. */
  public Optional<RunStatus> status() {
    synchronized (lock) {
      return Optional.ofNullable(status);
    }
  }

  /** When the current session was first closed; empty while it is open. */
  public Optional<Instant> endTime() {
    synchronized (lock) {
      return Optional.ofNullable(endTime);
    }
  }

  public boolean isClosed() {
    return status().isPresent();
  }

  /** How many times {@code close} was called, over every session of this run. */
  public int closeCalls() {
    synchronized (lock) {
      return closeCalls;
    }
  }

  /** Whether any one session of this run was closed more than once (a host bug). */
  public boolean closedMoreThanOnce() {
    synchronized (lock) {
      return closedMoreThanOnce;
    }
  }

  /** How many sessions were opened for this run: 1, plus one per resume. */
  public int sessionsOpened() {
    synchronized (lock) {
      return sessionsOpened;
    }
  }

  /**
   * Waits until {@code condition} holds for this run or {@code timeout} passes, whichever is first.
   * The condition is re-checked after every change, under the run's lock, so it must only read this
   * run.
   *
   * @return whether the condition held
   */
  public boolean await(Predicate<? super RecordedRun> condition, Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(condition, "condition");
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.test(this)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Waits until the current session is closed; returns whether it was within {@code timeout}. */
  public boolean awaitClosed(Duration timeout) throws InterruptedException {
    return await(RecordedRun::isClosed, timeout);
  }

  void record(EventBatch batch) {
    synchronized (lock) {
      batches.add(batch);
      lock.notifyAll();
    }
  }

  /**
   * Stores an artifact, with the bytes read from its files, under the next version of its name;
   * returns that version.
   */
  String recordArtifact(TraceletArtifact artifact, Map<String, byte[]> fileBytes) {
    synchronized (lock) {
      String version = Integer.toString(artifactVersions.merge(artifact.name(), 1, Integer::sum));
      List<String> objectNames = new ArrayList<>();
      artifact.objects().forEach(o -> objectNames.add(o.name()));
      artifacts.add(
          new RecordedArtifact(
              artifact.name(),
              artifact.type(),
              artifact.description(),
              version,
              fileBytes,
              objectNames,
              artifact.references(),
              artifact.metadata()));
      lock.notifyAll();
      return version;
    }
  }

  /** Records a close call; the first call of a session sets the status, later ones only count. */
  void recordClose(RunStatus closeStatus, boolean firstForSession) {
    synchronized (lock) {
      closeCalls++;
      if (firstForSession) {
        status = closeStatus;
        endTime = Instant.now();
      } else {
        closedMoreThanOnce = true;
      }
      lock.notifyAll();
    }
  }

  void recordResume() {
    synchronized (lock) {
      sessionsOpened++;
      status = null;
      endTime = null;
      lock.notifyAll();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      int metricCount = 0;
      for (EventBatch b : batches) {
        metricCount += b.metrics().size();
      }
      return "RecordedRun{runId="
          + runId
          + ", name="
          + experimentName
          + ", batches="
          + batches.size()
          + ", metrics="
          + metricCount
          + ", artifacts="
          + artifacts.size()
          + ", status="
          + (status == null ? "open" : status)
          + ", closeCalls="
          + closeCalls
          + '}';
    }
  }
}
