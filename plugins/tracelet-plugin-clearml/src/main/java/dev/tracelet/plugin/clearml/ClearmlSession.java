package dev.tracelet.plugin.clearml;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.RunStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One Tracelet run as one ClearML task. Opening it logs in, finds or creates the project, creates a
 * {@code training} task carrying the run id and launch arguments, and marks it started.
 *
 * <p>{@link #log} sends parameters and tags as hyperparameters first, then the finite metric points
 * as json-lines events in bodies below {@code max_request_bytes}; it returns once the server
 * accepted all of them. If it throws, the host may call it again with the same batch: the parts
 * already accepted are not sent again, and the server would overwrite rather than duplicate any
 * event sent twice. Non-finite values cannot be stored in ClearML: they are left out, the rest of
 * the batch is delivered, and then {@link IllegalArgumentException} names them, which the host does
 * not retry.
 *
 * <p>A ping timer keeps the task from being stopped by the server's watchdog while nothing is sent
 * (see {@link PingTimer}). {@link #close(RunStatus)} stops it, ends the task ({@code completed},
 * {@code failed} or {@code stopped}) and shuts the HTTP client down; a second close does nothing.
 */
final class ClearmlSession implements BackendSession {
  static final int MAX_BATCH_EVENTS = 1_000;

  /** What the original Tracelet's ClearML handler claimed: models, checkpoints and reports. */
  static final BackendCapabilities CAPABILITIES =
      BackendCapabilities.defaults()
          .withMaxBatchEvents(MAX_BATCH_EVENTS)
          .withPreferredArtifactTypes(
              Set.of(ArtifactType.MODEL, ArtifactType.CHECKPOINT, ArtifactType.REPORT));

  private static final int MAX_NAMED_REJECTS = 10;

  private final ClearmlConfig config;
  private final ClearmlApi api;
  private final ClearmlTasks tasks;
  private final ArtifactUploader artifacts;
  private final String taskId;
  private final System.Logger logger;
  private final Clock clock;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Written by the worker after each accepted request, read by the ping timer.
  private final AtomicLong lastUpdateMillis;
  private PingTimer pingTimer = PingTimer.NONE;

  // The batch whose delivery failed part-way, and how far it got; only the worker touches it.
  private @Nullable Progress progress;

  private ClearmlSession(
      ClearmlConfig config,
      ClearmlApi api,
      ClearmlTasks tasks,
      ArtifactUploader artifacts,
      String taskId,
      System.Logger logger,
      Clock clock) {
    this.config = config;
    this.api = api;
    this.tasks = tasks;
    this.artifacts = artifacts;
    this.taskId = taskId;
    this.logger = logger;
    this.clock = clock;
    this.lastUpdateMillis = new AtomicLong(clock.millis());
  }

  static ClearmlSession open(ClearmlConfig config, BackendContext context, SessionEnvironment env) {
    String shortId =
        context.runId().length() > 8 ? context.runId().substring(0, 8) : context.runId();
    ClearmlApi api =
        ClearmlApi.open(
            config, context.logger(), "tracelet-clearml-" + shortId, env.clock(), env.sleeper());
    try {
      ClearmlTasks tasks = new ClearmlTasks(api);
      String project = config.project() != null ? config.project() : context.project();
      String taskName = config.taskName() != null ? config.taskName() : context.experimentName();
      String projectId = tasks.projectId(project);
      String taskId =
          tasks.createTask(
              projectId,
              taskName,
              "Tracelet run " + context.runId(),
              context.tags(),
              initialParams(context, env));
      tasks.started(taskId);
      ArtifactUploader uploader =
          new ArtifactUploader(
              api,
              tasks,
              taskId,
              FileServerPaths.artifactsFolder(project, taskName, taskId),
              context.logger());
      ClearmlSession session =
          new ClearmlSession(config, api, tasks, uploader, taskId, context.logger(), env.clock());
      if (!config.pingInterval().isZero()) {
        session.pingTimer =
            env.pingTimers()
                .start(
                    config.pingInterval(),
                    session::pingIfQuiet,
                    "tracelet-clearml-ping-" + shortId);
      }
      context
          .logger()
          .log(
              Level.INFO,
              "ClearML task {0} ''{1}'' in project ''{2}''{3}",
              taskId,
              taskName,
              project,
              api.hosts()
                  .web()
                  .map(web -> ": " + web + "/projects/" + projectId + "/experiments/" + taskId)
                  .orElse(""));
      return session;
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  /** The run's identity under {@code Tracelet}, and the launch arguments under {@code Args}. */
  static List<ParamItem> initialParams(BackendContext context, SessionEnvironment env) {
    List<ParamItem> params = new ArrayList<>();
    params.add(new ParamItem(ParamItem.TRACELET, "run_id", context.runId(), "str"));
    params.add(new ParamItem(ParamItem.TRACELET, "host_version", context.hostVersion(), "str"));
    if (context.experimentConfig().trackArgs()) {
      LaunchArguments launch = LaunchArguments.of(env.commandLine().get());
      if (launch.main() != null) {
        params.add(new ParamItem(ParamItem.TRACELET, "main", launch.main(), "str"));
      }
      launch.args().forEach((k, v) -> params.add(new ParamItem(ParamItem.ARGS, k, v, "str")));
    }
    return params;
  }

  String taskId() {
    return taskId;
  }

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void log(EventBatch batch) {
    requireOpen("log");
    if (batch.isEmpty()) {
      return;
    }
    Progress p = progress;
    if (p == null || !p.batch.equals(batch)) {
      p = new Progress(batch);
      progress = p;
    }
    if (!p.hyperparamsSent) {
      List<ParamItem> items = ParamItem.of(batch.params(), batch.tags());
      if (!items.isEmpty()) {
        tasks.editHyperParams(taskId, items, config.maxRequestBytes());
        touched();
      }
      p.hyperparamsSent = true;
    }
    List<MetricEvent> finite = new ArrayList<>(batch.metrics().size());
    Map<String, List<String>> rejected = new LinkedHashMap<>();
    for (MetricEvent m : batch.metrics()) {
      if (Double.isFinite(m.value())) {
        finite.add(m);
      } else {
        rejected
            .computeIfAbsent(m.name(), k -> new ArrayList<>())
            .add(m.value() + " at step " + m.step());
      }
    }
    List<byte[]> bodies =
        ScalarEvents.bodies(
            ScalarEvents.lines(taskId, finite, api.json()), config.maxRequestBytes());
    for (int i = p.bodiesSent; i < bodies.size(); i++) {
      tasks.addEvents(bodies.get(i));
      p.bodiesSent = i + 1;
      touched();
    }
    progress = null;
    if (!rejected.isEmpty()) {
      throw nonFinite(rejected, batch.size() - (batch.metrics().size() - finite.size()));
    }
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    requireOpen("logArtifact");
    ArtifactResult result = artifacts.upload(artifact);
    touched();
    return result;
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.empty();
  }

  /**
   * Ends the task with {@code status} and releases the client. {@link RunStatus#RUNNING} leaves the
   * task running (another process may carry on with it) and only releases this session's resources.
   */
  @Override
  public void close(RunStatus status) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pingTimer.close();
    try {
      if (progress != null) {
        logger.log(
            Level.WARNING,
            "ClearML task {0} ends while a batch of {1} events was only partly delivered",
            taskId,
            progress.batch.size());
      }
      if (status.isTerminal()) {
        tasks.end(taskId, status);
      }
    } finally {
      api.close();
    }
  }

  /** The ping timer's check: pings when nothing reached the task for a whole interval. */
  void pingIfQuiet() {
    if (closed.get()) {
      return;
    }
    long quietFor = clock.millis() - lastUpdateMillis.get();
    if (quietFor < config.pingInterval().toMillis()) {
      return;
    }
    try {
      tasks.ping(taskId);
      touched();
    } catch (RuntimeException e) {
      if (!closed.get()) {
        logger.log(
            Level.WARNING,
            "ClearML ping of task {0} failed; trying again later: {1}",
            taskId,
            e.getMessage());
      }
    }
  }

  private void touched() {
    lastUpdateMillis.set(clock.millis());
  }

  private void requireOpen(String what) {
    if (closed.get()) {
      throw new IllegalStateException(
          what + "() after close(): the ClearML session of task " + taskId + " is closed");
    }
  }

  private IllegalArgumentException nonFinite(Map<String, List<String>> rejected, int delivered) {
    StringBuilder b = new StringBuilder("clearml: ClearML stores finite numbers only, so ");
    int count = 0;
    int named = 0;
    for (Map.Entry<String, List<String>> e : rejected.entrySet()) {
      count += e.getValue().size();
      if (named++ < MAX_NAMED_REJECTS) {
        b.append(named > 1 ? ", " : "")
            .append("metric '")
            .append(e.getKey())
            .append("' (")
            .append(String.join(", ", e.getValue().subList(0, Math.min(3, e.getValue().size()))))
            .append(e.getValue().size() > 3 ? ", …" : "")
            .append(')');
      }
    }
    if (rejected.size() > MAX_NAMED_REJECTS) {
      b.append(" and ").append(rejected.size() - MAX_NAMED_REJECTS).append(" more metrics");
    }
    b.append(" were not stored (")
        .append(count)
        .append(count == 1 ? " point" : " points")
        .append("); the other ")
        .append(delivered)
        .append(" events of the batch were delivered. Log finite values, or replace NaN and")
        .append(" infinities before logging.");
    logger.log(Level.WARNING, b.toString());
    return new IllegalArgumentException(b.toString());
  }

  /** How far the delivery of one batch got before it failed. */
  private static final class Progress {
    final EventBatch batch;
    boolean hyperparamsSent;
    int bodiesSent;

    Progress(EventBatch batch) {
      this.batch = batch;
    }
  }
}
