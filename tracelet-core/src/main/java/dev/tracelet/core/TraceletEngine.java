package dev.tracelet.core;

import com.google.inject.Guice;
import com.google.inject.Stage;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.TraceletVersion;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.collect.SystemMetricsCollector;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.dispatch.RunManifest;
import dev.tracelet.core.plugin.BackendRegistry;
import dev.tracelet.core.plugin.ContextLoaderProxy;
import dev.tracelet.core.plugin.Failures;
import dev.tracelet.core.plugin.PluginCalls;
import dev.tracelet.core.plugin.PluginFolderWatcher;
import dev.tracelet.core.plugin.PluginHost;
import dev.tracelet.core.plugin.PluginReport;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.runtime.ExperimentLauncher;
import dev.tracelet.core.runtime.OfflineBackends;
import dev.tracelet.core.runtime.StoreContexts;
import dev.tracelet.core.settings.ResolvedSettings;
import dev.tracelet.core.settings.SettingsLoader;
import dev.tracelet.core.settings.SettingsSources;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Tracelet runtime: settings, the plugin host and the experiments started through it. {@code
 * Tracelet}'s static facade uses one per process; tests and tools (the CLI) create their own with
 * {@link #create(SettingsSources)} and close them.
 *
 * <p>Every experiment still open when the JVM shuts down is ended {@link RunStatus#KILLED} after
 * its queued events are delivered (bounded by {@code shutdown_timeout}).
 */
public final class TraceletEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TraceletEngine.class);

  /** How often the plugin folders are checked: a dropped JAR is live within two intervals. */
  private static final java.time.Duration WATCH_INTERVAL = java.time.Duration.ofMillis(500);

  private final SettingsLoader loader;
  private final PluginHost host;
  private final ExperimentLauncher launcher;
  private final SystemMetricsCollector collector;
  private final Set<DefaultExperiment> open = ConcurrentHashMap.newKeySet();
  private final AtomicReference<@Nullable DefaultExperiment> active = new AtomicReference<>();
  private final Map<String, OpenStore> stores = new ConcurrentHashMap<>();
  private volatile @Nullable PluginFolderWatcher watcher;

  /** A backend's read side and the plugin it came from (null: the class path). */
  private record OpenStore(RunStore store, @Nullable String pluginId) {}

  private final Thread shutdownHook = new Thread(this::endAllKilled, "tracelet-shutdown");
  private volatile @Nullable ResolvedSettings resolved;
  private volatile @Nullable ConfigurationException settingsProblem;

  @Inject
  TraceletEngine(
      SettingsLoader loader,
      PluginHost host,
      ExperimentLauncher launcher,
      SystemMetricsCollector collector) {
    this.loader = loader;
    this.host = host;
    this.launcher = launcher;
    this.collector = collector;
  }

  /** An engine over this process's environment, system properties and working directory. */
  public static TraceletEngine create() {
    return create(SettingsSources.system());
  }

  /** An engine over the given sources; loads the plugins and the settings. */
  public static TraceletEngine create(SettingsSources sources) {
    TraceletEngine engine =
        Guice.createInjector(
                Stage.PRODUCTION,
                new SettingsModule(sources),
                new PluginHostModule(),
                new DispatchModule(),
                new CollectorModule())
            .getInstance(TraceletEngine.class);
    engine.start();
    return engine;
  }

  private void start() {
    host.onUnload(id -> stores.values().removeIf(s -> id.equals(s.pluginId())));
    java.util.Set<String> allowed;
    try {
      allowed = loader.pluginAllowList();
    } catch (ConfigurationException e) {
      // A malformed allow-list must not open the door: load nothing from the folders.
      settingsProblem = e;
      allowed = java.util.Set.of("invalid-allow-list");
    }
    host.start(loader.pluginRoots(), allowed);
    if (settingsProblem == null) {
      try {
        resolved = loader.load(backendKeys(), Map.of());
      } catch (ConfigurationException e) {
        settingsProblem = e;
      }
    }
    ResolvedSettings r = resolved;
    if (r == null || r.settings().pluginsWatch()) {
      watcher = new PluginFolderWatcher(host, WATCH_INTERVAL).start();
    }
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The settings each installed backend declares. */
  private Map<String, List<ConfigKey>> backendKeys() {
    Map<String, List<ConfigKey>> keys = new LinkedHashMap<>();
    for (RegisteredBackend b : host.registry().all()) {
      try {
        keys.put(b.name(), PluginCalls.withLoader(b.loader(), () -> b.plugin().configKeys()));
      } catch (RuntimeException | LinkageError e) {
        log.warn("Backend '{}' could not list its settings: {}", b.name(), Failures.describe(e));
        keys.put(b.name(), List.of());
      }
    }
    return keys;
  }

  /**
   * The effective settings; throws the settings' {@link ConfigurationException} if they are bad.
   */
  public TraceletSettings settings() {
    return resolvedSettings().settings();
  }

  public ResolvedSettings resolvedSettings() {
    ConfigurationException problem = settingsProblem;
    if (problem != null) {
      throw new ConfigurationException(problem.getMessage(), problem);
    }
    ResolvedSettings r = resolved;
    if (r == null) {
      throw new IllegalStateException("engine not started");
    }
    return r;
  }

  /** What is wrong with the settings, if anything, without throwing. */
  public Optional<ConfigurationException> settingsProblem() {
    return Optional.ofNullable(settingsProblem);
  }

  /** The settings every installed backend declares, for {@code tracelet doctor}. */
  public Map<String, List<ConfigKey>> declaredBackendSettings() {
    return backendKeys();
  }

  public List<PluginReport> plugins() {
    return host.reports();
  }

  /** Plugins whose JAR was removed and that unload once their open sessions end. */
  public Set<String> unloadingPlugins() {
    return host.unloadingPlugins();
  }

  public List<Path> pluginRoots() {
    return host.roots();
  }

  public BackendRegistry registry() {
    return host.registry();
  }

  /**
   * Problems found: bad settings, plugins that did not load, selected backends that are not
   * installed. Empty when all is well.
   */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    settingsProblem().ifPresent(e -> out.add("settings: " + e.getMessage()));
    for (PluginReport r : plugins()) {
      if (!r.usable()) {
        out.add("plugin " + r.id() + " (" + r.file() + "): " + r.error());
      }
    }
    if (settingsProblem == null) {
      for (String b : settings().backends()) {
        if (registry().find(b).isEmpty()) {
          out.add(
              "backend '"
                  + b
                  + "' is selected but not installed; installed: "
                  + (registry().names().isEmpty()
                      ? "(none)"
                      : String.join(", ", registry().names())));
        }
      }
    }
    return out;
  }

  /** Starts an experiment, first stopping the active one, and makes it the active one. */
  public Experiment startExperiment(StartOptions options) {
    TraceletSettings settings =
        options.config().isEmpty() ? settings() : loadWithOverrides(options.config());
    // A start that is going to fail must not end the experiment that is running.
    launcher.check(settings, options);
    DefaultExperiment previous = active.get();
    if (previous != null) {
      previous.stop();
    }
    DefaultExperiment experiment = launcher.launch(settings, options, this::ended);
    open.add(experiment);
    active.set(experiment);
    return experiment;
  }

  /** The settings a run started with {@code overrides} as its config gets. */
  TraceletSettings loadWithOverrides(Map<String, Object> overrides) {
    settings(); // the base settings must be valid too
    return loader.load(backendKeys(), overrides).settings();
  }

  private void ended(DefaultExperiment experiment) {
    open.remove(experiment);
    active.compareAndSet(experiment, null);
  }

  public Optional<Experiment> activeExperiment() {
    return Optional.ofNullable(active.get());
  }

  public void stopActiveExperiment() {
    DefaultExperiment a = active.get();
    if (a != null) {
      a.stop();
    }
  }

  /**
   * Runs kept offline ({@code mode=offline}) whose events wait in the journal for a backend, oldest
   * folder first.
   */
  public List<RunManifest> offlineRuns() {
    java.nio.file.Path dir = ExperimentLauncher.journalDir(settings());
    if (dir == null) {
      return List.of();
    }
    try {
      return RunManifest.findAll(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot read the journal folder " + dir, e);
    }
  }

  /**
   * Replays an offline run's journal into its backend: the run is created there (or found again,
   * when an earlier sync was interrupted), receives every journaled event in order, and ends as the
   * run ended. Delivered events leave the journal, so syncing again sends nothing twice.
   *
   * @return the delivery report; incomplete when the backend could not take everything
   */
  public DeliveryReport sync(RunManifest run) {
    return sync(run, SyncProgress.none());
  }

  /**
   * {@link #sync(RunManifest)}, telling {@code progress} how far the replay has got. When the run
   * is also in the local store, a complete replay is recorded there as {@code
   * tracelet.synced.<backend>}, so a later store sync does not send it a second time.
   */
  public DeliveryReport sync(RunManifest run, SyncProgress progress) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("run_id", run.runId());
    config.put("mode", "online");
    config.put("track_system", false);
    // The backend's own mode (WANDB_MODE=offline) may still say offline; now it must deliver.
    config.putAll(OfflineBackends.onlineOverrides(loadWithOverrides(config), run.backend()));
    DefaultExperiment experiment =
        (DefaultExperiment)
            startExperiment(
                StartOptions.builder(run.name())
                    .project(run.project())
                    .backends(run.backend())
                    .tags(run.tags())
                    .config(config)
                    .build());
    DeliveryReport report;
    try (DeliveryWatch watch = DeliveryWatch.start(experiment, 0, progress)) {
      report = experiment.end(run.status());
    }
    if (report.complete()) {
      java.nio.file.Path dir = ExperimentLauncher.journalDir(settings());
      if (dir != null) {
        try {
          run.delete(dir);
        } catch (java.io.IOException e) {
          log.warn("Run {} synced, but its manifest stays: {}", run.runId(), e.toString());
        }
      }
      long delivered = report.backends().stream().mapToLong(BackendDelivery::delivered).sum();
      new StoreSync(this).recordJournalSync(run.runId(), run.backend(), delivered);
    }
    return report;
  }

  /**
   * Syncs one run into one backend. A journal an offline run left for that backend wins: it is
   * replayed as by {@link #sync(RunManifest, SyncProgress)}. Otherwise the run is read from the
   * local store — every parameter, tag, metric point (with its step and timestamp) and artifact —
   * and logged into the backend under the same run id, ending as it ended; nothing is written to
   * the local store but the tag {@code tracelet.synced.<backend>} recording the sync.
   *
   * <p>Nothing is sent, and the result says why, when that tag shows an earlier sync, when the run
   * is still RUNNING (another process is writing it), or when the backend's read side already has
   * the run (it was logged there live) — unless {@code force}, which sends it again.
   */
  public SyncResult syncRun(String runId, String backend, boolean force, SyncProgress progress) {
    for (RunManifest m : offlineRuns()) {
      if (m.runId().equals(runId) && m.backend().equals(backend)) {
        DeliveryReport report = sync(m, progress);
        long delivered = report.backends().stream().mapToLong(BackendDelivery::delivered).sum();
        long left = report.undelivered();
        return new SyncResult(
            runId,
            backend,
            SyncResult.Source.JOURNAL,
            report.complete() ? SyncResult.Outcome.SYNCED : SyncResult.Outcome.INCOMPLETE,
            delivered,
            delivered + left,
            0,
            report,
            report.complete()
                ? delivered + " events delivered from the journal, run ended " + m.status()
                : "incomplete: " + report + ". The rest stays journaled; sync again later.");
      }
    }
    return new StoreSync(this).sync(runId, backend, force, progress);
  }

  /**
   * Every run in the local store, oldest first, for {@code tracelet sync --all --to <backend>};
   * empty when the local backend is not installed.
   */
  public List<String> storedRuns() {
    return new StoreSync(this).runs();
  }

  /**
   * The read side of a backend, opened once and reused. Calls on it run with the plugin's class
   * loader as context loader.
   */
  public RunStore store(String backend) {
    return stores.computeIfAbsent(backend, this::openStore).store();
  }

  private OpenStore openStore(String backend) {
    RegisteredBackend b =
        registry()
            .find(backend)
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        "Backend '"
                            + backend
                            + "' is not installed, so it has no store. Installed backends: "
                            + (registry().names().isEmpty()
                                ? "(none)"
                                : String.join(", ", registry().names()))
                            + "."));
    TraceletSettings settings = settings();
    RunStore store =
        PluginCalls.withLoader(
                b.loader(),
                () ->
                    b.plugin()
                        .openStore(StoreContexts.of(b.name(), settings.backendConfig(b.name()))))
            .orElseThrow(
                () ->
                    new ConfigurationException(
                        "Backend '" + backend + "' cannot answer queries (it has no read side)."));
    return new OpenStore(ContextLoaderProxy.wrap(RunStore.class, store, b.loader()), b.pluginId());
  }

  private void endAllKilled() {
    for (DefaultExperiment e : List.copyOf(open)) {
      try {
        e.end(RunStatus.KILLED);
      } catch (RuntimeException ex) {
        log.warn("Could not end run {} at shutdown: {}", e.id(), Failures.describe(ex));
      }
    }
  }

  /**
   * Ends every open experiment as {@link RunStatus#KILLED}, unloads the plugins and stops the
   * collectors. For tests and tools; an application simply exits.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException | SecurityException e) {
      // Already shutting down: the hook is running or ran.
    }
    PluginFolderWatcher w = watcher;
    if (w != null) {
      w.close();
    }
    endAllKilled();
    stores.clear();
    collector.close();
    host.close();
  }

  /** The version of this runtime. */
  public static String version() {
    return TraceletVersion.version();
  }
}
