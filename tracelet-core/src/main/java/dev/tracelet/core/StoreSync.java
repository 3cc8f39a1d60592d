package dev.tracelet.core;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import dev.tracelet.core.SyncResult.Outcome;
import dev.tracelet.core.SyncResult.Source;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.ExperimentDispatcher;
import dev.tracelet.core.plugin.Failures;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.runtime.OfflineBackends;
import dev.tracelet.core.runtime.StoredRun;
import dev.tracelet.core.runtime.StoredRunReplay;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs a run that has no journal for a backend from the local store: reads it in full and logs it
 * into the backend through an ordinary experiment with the run's id, so the backend creates the run
 * or finds it again.
 *
 * <p>A completed sync is recorded on the stored run as the tag {@code tracelet.synced.<backend>}
 * (when and how many points), so a second sync sends nothing. The tag sits with the run it
 * describes: it moves with the store, shows in {@code tracelet runs show}, and does not depend on
 * the journal folder (per user, possibly {@code off}, and owned by the dispatcher, which deletes
 * what it has delivered). It is the only thing a sync writes into the local store, and a sync never
 * copies such tags into a backend.
 */
final class StoreSync {
  private static final Logger log = LoggerFactory.getLogger(StoreSync.class);

  /** The backend store syncs read from. */
  static final String SOURCE = "local";

  /** Prefix of the tag that records a completed sync: {@code tracelet.synced.<backend>}. */
  static final String MARKER_PREFIX = "tracelet.synced.";

  private final TraceletEngine engine;

  StoreSync(TraceletEngine engine) {
    this.engine = engine;
  }

  static String marker(String backend) {
    return MARKER_PREFIX + backend;
  }

  /** Every run in the local store, oldest first; empty when there is no local store. */
  List<String> runs() {
    Optional<RunStore> local = localStore();
    if (local.isEmpty()) {
      return List.of();
    }
    List<RunInfo> all = new ArrayList<>();
    for (ExperimentInfo e : local.get().listExperiments()) {
      all.addAll(local.get().experimentRuns(e.id(), Sort.none()));
    }
    all.sort(Comparator.comparing(RunInfo::startTime).thenComparing(RunInfo::runId));
    return all.stream().map(RunInfo::runId).toList();
  }

  SyncResult sync(String runId, String backend, boolean force, SyncProgress progress) {
    Optional<RunStore> maybeLocal = localStore();
    if (maybeLocal.isEmpty()) {
      return notFound(
          runId,
          backend,
          "run "
              + runId
              + " has no journal for "
              + backend
              + ", and there is no local store to read it from");
    }
    RunStore local = maybeLocal.get();
    Optional<RunDetails> found = local.getRun(runId);
    if (found.isEmpty()) {
      return notFound(
          runId,
          backend,
          "run " + runId + " is neither journaled for " + backend + " nor in the local store");
    }
    RunDetails run = found.get();
    RunInfo info = run.info();
    String done = run.tags().get(marker(backend));
    if (done != null && !force) {
      return SyncResult.nothingSent(
          runId,
          backend,
          Source.STORE,
          Outcome.ALREADY_SYNCED,
          "already synced to "
              + backend
              + " ("
              + done
              + "); nothing sent. --force sends it again.");
    }
    if (info.status() == RunStatus.RUNNING && !force) {
      return SyncResult.nothingSent(
          runId,
          backend,
          Source.STORE,
          Outcome.RUNNING,
          "still RUNNING in the local store (another process may be writing it); nothing sent."
              + " Sync it once it has ended, or pass --force to send what is stored so far.");
    }
    if (!force && backendHasRun(backend, runId)) {
      return SyncResult.nothingSent(
          runId,
          backend,
          Source.STORE,
          Outcome.ALREADY_IN_BACKEND,
          backend
              + " already has this run (logged there live, or by an interrupted sync); nothing"
              + " sent. --force sends it again.");
    }
    return send(local, run, backend, progress);
  }

  private SyncResult send(RunStore local, RunDetails run, String backend, SyncProgress progress) {
    RunInfo info = run.info();
    StoredRun stored = StoredRun.read(local, run, key -> !key.startsWith(MARKER_PREFIX));
    boolean stillRunning = info.status() == RunStatus.RUNNING;
    // A run still being written is sent as far as it got and ends KILLED there: it did not end.
    RunStatus endAs = stillRunning ? RunStatus.KILLED : info.status();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("run_id", info.runId());
    config.put("mode", "online");
    // The sync describes a run of another time (and maybe host): capture nothing of its own.
    config.put("track_system", false);
    config.put("track_git", false);
    config.put("track_env", false);
    config.put("enable_artifacts", true);
    // The local store keeps the run; a second copy in the journal would only be replayed twice.
    config.put("journal_dir", "off");
    TraceletSettings settings = engine.loadWithOverrides(config);
    config.putAll(OfflineBackends.onlineOverrides(settings, backend));
    DefaultExperiment experiment =
        (DefaultExperiment)
            engine.startExperiment(
                StartOptions.builder(info.name())
                    .project(stored.project())
                    .backends(backend)
                    .tags(stored.startTags())
                    .config(config)
                    .build());
    StoredRunReplay.Sent sent;
    @Nullable String problem;
    DeliveryReport report;
    try (DeliveryWatch watch = DeliveryWatch.start(experiment, stored.events(), progress)) {
      try {
        sent =
            new StoredRunReplay(
                    experiment, ExperimentDispatcher.queueCapacity(settings.queueMemoryBytes(), 1))
                .send(stored, local);
        problem = sent.problem();
      } catch (RuntimeException e) {
        sent = new StoredRunReplay.Sent(0, 0, null);
        problem = Failures.describe(e);
      }
      report = experiment.end(problem == null ? endAs : RunStatus.KILLED);
    }
    long delivered = report.backends().stream().mapToLong(BackendDelivery::delivered).sum();
    long total = stored.events();
    if (problem != null || !report.complete()) {
      String why = problem != null ? problem : report.toString();
      return new SyncResult(
          info.runId(),
          backend,
          Source.STORE,
          Outcome.INCOMPLETE,
          delivered,
          total,
          sent.artifacts(),
          report,
          "incomplete: "
              + delivered
              + " of "
              + total
              + " events delivered ("
              + why
              + "). Nothing was recorded; 'tracelet sync "
              + info.runId()
              + " --to "
              + backend
              + " --force' sends the whole run again.");
    }
    StringBuilder message = new StringBuilder().append(delivered).append(" events delivered");
    if (!stored.artifacts().isEmpty()) {
      message.append(", ").append(sent.artifacts()).append(" artifacts");
    }
    message.append(", run ended ").append(endAs);
    if (stillRunning) {
      message.append(" (it is still running here: this is what was stored so far)");
    }
    String recorded =
        Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", " + stored.points().size() + " points";
    try {
      local.setRunTag(info.runId(), marker(backend), recorded);
    } catch (RuntimeException e) {
      message
          .append("; but the sync could not be recorded in the local store (")
          .append(Failures.describe(e))
          .append("), so a second sync would send it again");
    }
    return new SyncResult(
        info.runId(),
        backend,
        Source.STORE,
        Outcome.SYNCED,
        delivered,
        total,
        sent.artifacts(),
        report,
        message.toString());
  }

  /**
   * Records on the stored run, if there is one, that a journal sync delivered it, so a later {@code
   * sync --all} does not send it again from the store.
   */
  void recordJournalSync(String runId, String backend, long events) {
    try {
      Optional<RunStore> local = localStore();
      if (local.isPresent() && local.get().getRun(runId).isPresent()) {
        local
            .get()
            .setRunTag(
                runId,
                marker(backend),
                Instant.now().truncatedTo(ChronoUnit.SECONDS)
                    + ", "
                    + events
                    + " events from the journal");
      }
    } catch (RuntimeException e) {
      log.warn(
          "Run {} synced to {}, but the local store could not record it: {}",
          runId,
          backend,
          Failures.describe(e));
    }
  }

  /** Whether the backend's read side, if it has one, already knows the run. */
  private boolean backendHasRun(String backend, String runId) {
    try {
      return engine.store(backend).getRun(runId).isPresent();
    } catch (RuntimeException e) {
      // No read side, or it cannot answer now: the sync itself will tell.
      log.debug("Cannot ask {} for run {}: {}", backend, runId, Failures.describe(e));
      return false;
    }
  }

  private Optional<RunStore> localStore() {
    try {
      return Optional.of(engine.store(SOURCE));
    } catch (ConfigurationException e) {
      return Optional.empty();
    }
  }

  private static SyncResult notFound(String runId, String backend, String message) {
    return SyncResult.nothingSent(runId, backend, Source.STORE, Outcome.NOT_FOUND, message);
  }
}
