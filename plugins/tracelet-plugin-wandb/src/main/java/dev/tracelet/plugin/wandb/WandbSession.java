package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One Tracelet run on W&amp;B.
 *
 * <p><b>Metrics.</b> Each step becomes one history row ({@link HistoryRows}), even when its metrics
 * arrive in several batches; a point logged after a higher step is left out with a warning, as
 * W&amp;B's SDK does. Metrics named {@code system/…} are system figures with their own sampling
 * counter: they go to {@code wandb-events.jsonl}, so they never disturb the history's step order.
 * The summary is re-sent whenever a value changes. {@link #log} returns once W&amp;B has
 * acknowledged every line of the batch, except the row of the highest step, which waits for the
 * next step or for {@link #close}.
 *
 * <p><b>Retries.</b> A batch is applied once; if delivery fails, {@code log} throws and the lines
 * stay pending at their offsets. When the host calls {@code log} again with the same batch, nothing
 * is applied twice: the pending lines are simply sent again from the acknowledged offset. So the
 * server never sees a gap or a line twice, even when a failed request had in fact reached it. When
 * W&amp;B refuses a request's content for good (400, 413, 422), its lines are dropped and {@code
 * log} throws {@link IllegalArgumentException}.
 *
 * <p><b>Parameters and tags</b> update the run config with {@code UpsertBucket}, after the file
 * stream, once per call.
 *
 * <p><b>Threads.</b> The host calls {@code log}, {@code logArtifact} and {@code close} from one
 * thread. One daemon thread of the session's own sends a heartbeat after {@code heartbeat_seconds}
 * of silence and flushes captured console lines; the stream's state is guarded by one lock, and the
 * heartbeat never waits for it. File-stream requests are paced ({@link RequestPacer}) and only one
 * is in flight at a time.
 */
final class WandbSession implements BackendSession {
  static final int MAX_BATCH_EVENTS = 10_000;

  /**
   * Exit code W&amp;B gets for a run Tracelet ended as KILLED: 128 + SIGTERM, as a shell reports.
   */
  static final int EXIT_KILLED = 143;

  /** Unacknowledged bytes beyond which new batches are refused until W&amp;B takes the old ones. */
  static final long MAX_PENDING_BYTES = 64L << 20;

  private static final int CONSOLE_QUEUE_LINES = 10_000;
  private static final int CONSOLE_LINES_PER_DRAIN = 10_000;
  private static final Duration CONSOLE_FLUSH = Duration.ofSeconds(5);
  private static final BackendCapabilities CAPABILITIES =
      new BackendCapabilities(
          MAX_BATCH_EVENTS,
          true,
          Set.of(
              ArtifactType.IMAGE,
              ArtifactType.AUDIO,
              ArtifactType.VIDEO,
              ArtifactType.DATASET,
              ArtifactType.SAMPLE,
              ArtifactType.VISUALIZATION),
          false);

  private final WandbConfig config;
  private final System.Logger logger;
  private final RunTransport transport;
  private final RunSpec spec;
  private final RunPath path;
  private final long startMillis;
  private final JsonCodec codec;
  private final ReentrantLock lock = new ReentrantLock();
  private final FileStreamState stream;
  private final HistoryRows rows;
  private final RunSummary summary;
  private final RequestPacer pacer;
  private final ConsoleCapture.@Nullable Registration console;
  private final @Nullable ScheduledExecutorService ticker;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<String> warnedReserved = new HashSet<>();

  /** A batch applied to the state whose lines W&amp;B has not acknowledged yet. */
  private @Nullable EventBatch unconfirmed;

  private long lastRequestNanos = System.nanoTime();
  private boolean completed;
  private boolean stopReported;
  private long reportedConsoleDrops;

  private WandbSession(
      WandbConfig config,
      BackendContext context,
      RunTransport transport,
      RunSpec spec,
      Bucket bucket,
      JsonCodec codec,
      boolean captureConsole) {
    this.config = config;
    this.logger = context.logger();
    this.transport = transport;
    this.spec = spec;
    this.path = bucket.path();
    this.codec = codec;
    this.startMillis = context.startTime().toEpochMilli();
    boolean resumed = !bucket.inserted();
    JsonNode oldSummary = resumed ? bucket.summary() : null;
    JsonNode oldStep = oldSummary == null ? null : oldSummary.get("_step");
    this.rows =
        new HistoryRows(oldStep != null && oldStep.canConvertToLong() ? oldStep.asLong() : -1);
    this.summary = new RunSummary(oldSummary, startMillis);
    this.stream =
        new FileStreamState(
            bucket.historyLineCount(), bucket.eventsLineCount(), bucket.logLineCount());
    this.pacer = RequestPacer.system(transport.online() ? config.requestInterval : Duration.ZERO);
    this.console = captureConsole ? ConsoleCapture.register(CONSOLE_QUEUE_LINES) : null;
    this.ticker = startTicker(context.runId());
  }

  /**
   * Creates (or continues) the run and returns its session.
   *
   * @throws dev.tracelet.api.ConfigurationException if a setting breaks W&amp;B's rules
   * @throws BackendException if W&amp;B refuses the run or cannot be reached
   */
  static WandbSession open(WandbConfig config, BackendContext context) {
    JsonCodec codec = new JsonCodec();
    RunSpec spec = RunSpec.create(config, context, codec);
    String shortId =
        context.runId().length() > 8 ? context.runId().substring(0, 8) : context.runId();
    RunTransport transport =
        config.mode == WandbConfig.Mode.OFFLINE
            ? new OfflineTransport(
                config.dir, spec.runName(), context.startTime(), Clock.systemUTC())
            : new HttpTransport(config, context.logger(), "tracelet-wandb-" + shortId);
    try {
      Bucket bucket = transport.upsertRun(spec.variables(false));
      spec.created(bucket);
      if (!bucket.inserted()) {
        context
            .logger()
            .log(
                Level.INFO,
                "W&B run {0} exists; continuing it at history line {1}",
                bucket.path(),
                bucket.historyLineCount());
      }
      if (spec.configChanged()) {
        transport.upsertRun(spec.variables(true));
        spec.configAccepted();
      }
      boolean capture =
          config.console == WandbConfig.Console.WRAP
              || (config.console == WandbConfig.Console.AUTO
                  && context.experimentConfig().trackStdout());
      return new WandbSession(config, context, transport, spec, bucket, codec, capture);
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
  }

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void log(EventBatch batch) {
    requireOpen("log");
    lock.lock();
    try {
      boolean retry = unconfirmed != null && (unconfirmed == batch || unconfirmed.equals(batch));
      if (!retry) {
        if (stream.pendingBytes() > MAX_PENDING_BYTES) {
          // W&B has not taken the earlier lines; try once more before taking new ones. If they
          // are refused for good they are dropped (and logged) and this batch still goes.
          try {
            deliverStream(null);
          } catch (WandbRequestException e) {
            if (!e.contentRefused()) {
              throw e;
            }
          }
        }
        apply(batch);
        unconfirmed = batch;
      }
      deliverStream(null);
      deliverConfig();
      unconfirmed = null;
    } catch (WandbRequestException e) {
      if (e.contentRefused()) {
        unconfirmed = null;
        throw new IllegalArgumentException(
            "W&B refused data of run " + path + " for good: " + e.getMessage(), e);
      }
      throw e;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ArtifactResult logArtifact(TraceletArtifact artifact) {
    requireOpen("logArtifact");
    ArtifactManifest manifest;
    try {
      manifest = ArtifactManifest.of(artifact, codec);
    } catch (IOException e) {
      throw new BackendException(
          WandbBackendPlugin.NAME,
          "cannot read the files of artifact '" + artifact.name() + "': " + e,
          e);
    }
    return transport.saveArtifact(path, artifact, manifest);
  }

  @Override
  public Optional<RunStore> store() {
    return Optional.empty();
  }

  @Override
  public void close(RunStatus status) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RuntimeException failure = null;
    try {
      stopTicker();
      lock.lock();
      try {
        stopConsole();
        HistoryRows.Row last = rows.commitOpen();
        if (last != null) {
          appendHistory(last);
        }
        try {
          deliverConfig();
        } catch (RuntimeException e) {
          failure = e;
        }
        int exitCode = exitCode(status);
        try {
          deliverStream(exitCode);
        } catch (WandbRequestException e) {
          if (!e.contentRefused()) {
            throw e;
          }
          // The refused lines are gone; the rest, and the end of the run, still go.
          deliverStream(exitCode);
        }
      } finally {
        lock.unlock();
      }
    } catch (RuntimeException e) {
      failure = failure == null ? e : failure;
    } finally {
      transport.close();
    }
    if (rows.latePoints() > 0) {
      logger.log(
          Level.WARNING,
          "W&B run {0}: {1} metric points were logged after a higher step and left out (W&B"
              + " keeps history steps increasing)",
          path,
          rows.latePoints());
    }
    if (failure != null) {
      throw new BackendException(
          WandbBackendPlugin.NAME,
          "could not end W&B run "
              + path
              + " cleanly ("
              + stream.describePending()
              + " unsent): "
              + failure.getMessage(),
          failure);
    }
  }

  /** W&amp;B's exit code for a final status: 0 finished, 1 failed, 143 killed. */
  static int exitCode(RunStatus status) {
    return switch (status) {
      case FINISHED -> 0;
      case KILLED -> EXIT_KILLED;
      case FAILED, RUNNING -> 1;
    };
  }

  // ---- applying a batch ----

  private void apply(EventBatch batch) {
    List<HistoryRows.Row> committed = new ArrayList<>();
    List<MetricEvent> system = new ArrayList<>();
    int late = 0;
    MetricEvent firstLate = null;
    boolean changed = false;
    for (MetricEvent m : batch.metrics()) {
      if (WandbNames.isSystemMetric(m.name())) {
        system.add(m);
        continue;
      }
      if (WandbNames.isReserved(m.name())) {
        if (warnedReserved.add(m.name())) {
          logger.log(
              Level.WARNING,
              "Metric ''{0}'' left out of W&B: the name is reserved by W&B's history; rename it",
              m.name());
        }
        continue;
      }
      if (rows.add(m.name(), m.value(), m.step(), m.timestamp(), committed)) {
        summary.put(m.name(), m.value(), m.step(), m.timestamp());
        changed = true;
      } else {
        late++;
        firstLate = firstLate == null ? m : firstLate;
      }
    }
    if (firstLate != null) {
      logger.log(
          Level.WARNING,
          "W&B run {0}: {1} metric points left out because a higher step was already logged"
              + " (first: ''{2}'' at step {3}, last step {4}); W&B needs increasing steps",
          path,
          late,
          firstLate.name(),
          firstLate.step(),
          rows.lastStep());
    }
    for (HistoryRows.Row row : committed) {
      appendHistory(row);
    }
    for (String line : LineFormats.eventLines(system, startMillis)) {
      appendChecked(stream.events(), line, "system metrics line");
    }
    if (changed) {
      stream.setSummary(summary.line());
    }
    for (ParamEvent p : batch.params()) {
      spec.putParam(p.key(), p.value());
    }
    for (TagEvent t : batch.tags()) {
      spec.putTag(t.key(), t.value());
    }
    drainConsole();
  }

  private void appendHistory(HistoryRows.Row row) {
    appendChecked(
        stream.history(),
        LineFormats.historyLine(row, startMillis),
        "history row of step " + row.step());
  }

  private void appendChecked(LineFile file, String line, String what) {
    if (line.getBytes(StandardCharsets.UTF_8).length > FileStreamState.MAX_LINE_BYTES) {
      logger.log(
          Level.WARNING,
          "W&B run {0}: {1} left out: longer than W&B''s line limit of {2} bytes",
          path,
          what,
          FileStreamState.MAX_LINE_BYTES);
      return;
    }
    file.append(line);
  }

  // ---- delivery ----

  /** Sends every pending line (and, with {@code exitCode}, ends the run). Caller holds the lock. */
  private void deliverStream(@Nullable Integer exitCode) {
    while (stream.hasPending() || (exitCode != null && !completed)) {
      FileStreamState.Request request = stream.next(exitCode);
      if (request.lines() == 0 && request.summaryVersion() < 0 && !request.complete()) {
        String dropped = stream.dropUnsendable();
        logger.log(
            Level.WARNING,
            "W&B run {0}: a line of {1} is too long for one request and was left out",
            path,
            dropped);
        continue;
      }
      send(request, true);
      completed |= request.complete();
    }
  }

  private void send(FileStreamState.Request request, boolean retry) {
    if (transport.online()) {
      try {
        pacer.awaitTurn();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WandbRequestException("interrupted while pacing the file stream", e);
      }
    }
    FileStreamAnswer answer;
    try {
      answer = transport.sendFileStream(path, request.body(), retry);
    } catch (WandbRequestException e) {
      pacer.ended(null, null);
      lastRequestNanos = System.nanoTime();
      if (e.contentRefused()) {
        stream.refused(request);
        logger.log(
            Level.ERROR,
            "W&B refused {0} lines of run {1}; they are dropped: {2}",
            request.lines(),
            path,
            e.getMessage());
      }
      throw e;
    }
    pacer.ended(answer.rateLimitRemaining(), answer.rateLimitReset());
    lastRequestNanos = System.nanoTime();
    stream.accepted(request);
    if (answer.stopped() && !stopReported) {
      stopReported = true;
      logger.log(
          Level.WARNING,
          "W&B run {0} was stopped in the W&B UI; Tracelet keeps logging until the program ends"
              + " the experiment",
          path);
    }
  }

  private void deliverConfig() {
    if (!spec.configChanged()) {
      return;
    }
    try {
      transport.upsertRun(spec.variables(true));
      spec.configAccepted();
    } catch (WandbRequestException e) {
      if (!e.permanent() || e.status() == 401 || e.status() == 403 || e.status() == 404) {
        throw e;
      }
      List<String> keys = spec.changedKeys();
      spec.configRefused();
      throw new WandbRequestException(
          "W&B refused the run config update ("
              + keys
              + "); those parameters and tags are left"
              + " out: "
              + e.getMessage(),
          400,
          true);
    }
  }

  // ---- console and heartbeat ----

  private void drainConsole() {
    ConsoleCapture.Registration c = console;
    if (c == null) {
      return;
    }
    List<ConsoleCapture.Line> lines = new ArrayList<>();
    c.drainTo(lines, CONSOLE_LINES_PER_DRAIN);
    for (ConsoleCapture.Line l : lines) {
      stream.output().append(LineFormats.consoleLine(l));
    }
    long drops = c.dropped();
    if (drops > reportedConsoleDrops) {
      reportedConsoleDrops = drops;
      logger.log(
          Level.WARNING,
          "W&B run {0}: {1} console lines not kept in output.log (capture queue full)",
          path,
          drops);
    }
  }

  private void stopConsole() {
    ConsoleCapture.Registration c = console;
    if (c == null) {
      return;
    }
    if (!c.stop()) {
      logger.log(
          Level.WARNING,
          "System.out or System.err was replaced after W&B console capture began; the capture"
              + " stays in that chain and passes output through");
    }
    while (!c.isEmpty()) {
      drainConsole();
    }
  }

  private @Nullable ScheduledExecutorService startTicker(String runId) {
    boolean heartbeats = transport.online() && !config.heartbeat.isZero();
    if (!heartbeats && console == null) {
      return null;
    }
    Duration period = heartbeats ? min(config.heartbeat, CONSOLE_FLUSH) : CONSOLE_FLUSH;
    String name =
        "tracelet-wandb-heartbeat-" + (runId.length() > 8 ? runId.substring(0, 8) : runId);
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              // Its creator may be a host thread; the plugin's loader must not outlive the plugin.
              t.setContextClassLoader(WandbSession.class.getClassLoader());
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    long millis = Math.max(1, period.toMillis());
    executor.scheduleWithFixedDelay(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    return executor;
  }

  /**
   * Flushes console lines and keeps an idle run alive. Never waits: if the host's thread holds the
   * lock, or the pacer asks to wait, it tries again on the next tick. It stays away from history
   * and events lines a failed batch left pending; the host's retry of that batch sends them.
   */
  private void tick() {
    if (!lock.tryLock()) {
      return;
    }
    try {
      if (closed.get() || completed) {
        return;
      }
      drainConsole();
      if (stream.history().hasPending() || stream.events().hasPending()) {
        return;
      }
      boolean idle =
          transport.online()
              && !config.heartbeat.isZero()
              && System.nanoTime() - lastRequestNanos >= config.heartbeat.toNanos();
      if (!stream.output().hasPending() && !idle) {
        return;
      }
      if (transport.online() && pacer.waitNanos() > 0) {
        return;
      }
      send(stream.next(null), false);
    } catch (RuntimeException e) {
      logger.log(Level.DEBUG, "W&B heartbeat of run {0} failed: {1}", path, e.getMessage());
    } finally {
      lock.unlock();
    }
  }

  private void stopTicker() {
    ScheduledExecutorService t = ticker;
    if (t == null) {
      return;
    }
    t.shutdownNow();
    try {
      if (!t.awaitTermination(config.graphqlTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
        logger.log(Level.WARNING, "W&B heartbeat thread of run {0} did not stop in time", path);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void requireOpen(String what) {
    if (closed.get()) {
      throw new IllegalStateException(
          "W&B session of run " + path + " is closed; " + what + " after close() is not allowed");
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
