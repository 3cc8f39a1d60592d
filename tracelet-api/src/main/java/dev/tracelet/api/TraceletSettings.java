package dev.tracelet.api;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The effective settings of this process: the seed's {@code TraceletSettings} plus what the
 * dispatcher and the plugin host need, resolved from every source in the order of precedence
 * (defaults &lt; settings file &lt; environment &lt; system properties &lt; the {@code config} map
 * of {@code startLogging}) and validated.
 *
 * <p>Immutable. Secrets (keys whose plugin declares them secret, and any key whose last segment
 * names a key, token, password or secret) are masked by {@link #toString()} and {@link #asMap()};
 * only {@link #backendConfig(String)} hands their value out, to the backend that owns them.
 */
public final class TraceletSettings {
  /** What {@link #asMap()} and {@link #toString()} print instead of a secret's value. */
  public static final String MASK = "****";

  private final String project;
  private final List<String> backends;
  private final @Nullable String experimentName;
  private final @Nullable String runId;
  private final boolean offline;
  private final boolean trackSystem;
  private final boolean trackGit;
  private final boolean trackEnv;
  private final Duration metricsInterval;
  private final boolean enableAutomagic;
  private final Set<String> automagicFrameworks;
  private final boolean enableArtifacts;
  private final boolean automagicArtifacts;
  private final boolean watchFilesystem;
  private final List<String> artifactWatchDirs;
  private final long queueMemoryBytes;
  private final int batchSize;
  private final Duration flushInterval;
  private final Duration shutdownTimeout;
  private final List<String> pluginsDirs;
  private final boolean pluginsWatch;
  private final @Nullable String journalDir;
  private final Map<String, Map<String, String>> backendValues;
  private final Set<String> secretKeys;

  private TraceletSettings(Builder b) {
    this.project = b.project;
    this.backends = List.copyOf(b.backends);
    this.experimentName = b.experimentName;
    this.runId = b.runId;
    this.offline = b.offline;
    this.trackSystem = b.trackSystem;
    this.trackGit = b.trackGit;
    this.trackEnv = b.trackEnv;
    this.metricsInterval = b.metricsInterval;
    this.enableAutomagic = b.enableAutomagic;
    this.automagicFrameworks = Set.copyOf(b.automagicFrameworks);
    this.enableArtifacts = b.enableArtifacts;
    this.automagicArtifacts = b.automagicArtifacts;
    this.watchFilesystem = b.watchFilesystem;
    this.artifactWatchDirs = List.copyOf(b.artifactWatchDirs);
    this.queueMemoryBytes = b.queueMemoryBytes;
    this.batchSize = b.batchSize;
    this.flushInterval = b.flushInterval;
    this.shutdownTimeout = b.shutdownTimeout;
    this.pluginsDirs = List.copyOf(b.pluginsDirs);
    this.pluginsWatch = b.pluginsWatch;
    this.journalDir = b.journalDir;
    Map<String, Map<String, String>> copy = new TreeMap<>();
    b.backendValues.forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    this.backendValues = Map.copyOf(copy);
    this.secretKeys = Set.copyOf(b.secretKeys);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Default project (the store's experiment) for experiments that name none. */
  public String project() {
    return project;
  }

  /** Backends each experiment logs to, in order; default {@code [local]}. */
  public List<String> backends() {
    return backends;
  }

  /** Experiment name used when {@code startLogging} is given none. */
  public Optional<String> experimentName() {
    return Optional.ofNullable(experimentName);
  }

  /** A run id to resume or join ({@code TRACELET_RUN_ID}); empty starts a new run. */
  public Optional<String> runId() {
    return Optional.ofNullable(runId);
  }

  /** Whether remote backends are kept offline ({@code mode=offline}) for a later sync. */
  public boolean offline() {
    return offline;
  }

  public boolean trackSystem() {
    return trackSystem;
  }

  public boolean trackGit() {
    return trackGit;
  }

  public boolean trackEnv() {
    return trackEnv;
  }

  /** How often system metrics are sampled. */
  public Duration metricsInterval() {
    return metricsInterval;
  }

  public boolean enableAutomagic() {
    return enableAutomagic;
  }

  public Set<String> automagicFrameworks() {
    return automagicFrameworks;
  }

  public boolean enableArtifacts() {
    return enableArtifacts;
  }

  public boolean automagicArtifacts() {
    return automagicArtifacts;
  }

  public boolean watchFilesystem() {
    return watchFilesystem;
  }

  public List<String> artifactWatchDirs() {
    return artifactWatchDirs;
  }

  /**
   * Memory, in bytes, that the queues of one run may hold in total, shared between its backends. A
   * backend whose queue fills (it is down or slower than the training loop) has its events moved to
   * its journal on disk rather than held in memory.
   */
  public long queueMemoryBytes() {
    return queueMemoryBytes;
  }

  /** Most events handed to a backend in one batch (a backend may ask for fewer). */
  public int batchSize() {
    return batchSize;
  }

  /** Longest time an event waits in a queue before its batch is sent (the linger time). */
  public Duration flushInterval() {
    return flushInterval;
  }

  /** How long {@code stop()}/{@code close()} and the shutdown hook wait for delivery. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /**
   * Plugin folders, first wins; empty means the distribution's {@code plugins/}, then {@code
   * ./plugins}.
   */
  public List<String> pluginsDirs() {
    return pluginsDirs;
  }

  /**
   * Whether plugin JARs added to, removed from or replaced in the plugin folders are (un)loaded
   * live.
   */
  public boolean pluginsWatch() {
    return pluginsWatch;
  }

  /**
   * Where undeliverable events are journaled for replay: a folder, {@code off} to drop them
   * instead, or empty for the default {@code ~/.tracelet/journal}.
   */
  public Optional<String> journalDir() {
    return Optional.ofNullable(journalDir);
  }

  /**
   * The keys a backend owns, without its prefix ({@code tracking_uri} for {@code
   * mlflow.tracking_uri}), secrets unmasked. Empty when nothing is set for it.
   */
  public Map<String, String> backendConfig(String backend) {
    return backendValues.getOrDefault(backend, Map.of());
  }

  /** Whether a fully qualified key ({@code wandb.api_key}) holds a secret. */
  public boolean isSecret(String key) {
    return secretKeys.contains(key) || looksSecret(key);
  }

  /** Whether a key's name alone says it holds a secret. */
  public static boolean looksSecret(String key) {
    String last = key.substring(key.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
    return last.contains("key")
        || last.contains("token")
        || last.contains("password")
        || last.contains("secret");
  }

  /** Every effective setting as {@code key → value}, sorted, with secrets masked. */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("project", project);
    m.put("backend", String.join(",", backends));
    m.put("experiment_name", experimentName == null ? "" : experimentName);
    m.put("run_id", runId == null ? "" : runId);
    m.put("mode", offline ? "offline" : "online");
    m.put("track_system", Boolean.toString(trackSystem));
    m.put("track_git", Boolean.toString(trackGit));
    m.put("track_env", Boolean.toString(trackEnv));
    m.put("metrics_interval", seconds(metricsInterval));
    m.put("enable_automagic", Boolean.toString(enableAutomagic));
    m.put("automagic_frameworks", String.join(",", new java.util.TreeSet<>(automagicFrameworks)));
    m.put("enable_artifacts", Boolean.toString(enableArtifacts));
    m.put("automagic_artifacts", Boolean.toString(automagicArtifacts));
    m.put("watch_filesystem", Boolean.toString(watchFilesystem));
    m.put("artifact_watch_dirs", String.join(",", artifactWatchDirs));
    m.put("queue_memory", queueMemoryBytes + "B");
    m.put("batch_size", Integer.toString(batchSize));
    m.put("flush_interval", seconds(flushInterval));
    m.put("shutdown_timeout", seconds(shutdownTimeout));
    m.put("plugins_dir", String.join(",", pluginsDirs));
    m.put("plugins_watch", Boolean.toString(pluginsWatch));
    m.put("journal_dir", journalDir == null ? "" : journalDir);
    Map<String, String> sorted = new TreeMap<>(m);
    backendValues.forEach(
        (backend, values) ->
            values.forEach(
                (k, v) -> {
                  String key = backend + "." + k;
                  sorted.put(key, isSecret(key) ? MASK : v);
                }));
    return java.util.Collections.unmodifiableMap(sorted);
  }

  private static String seconds(Duration d) {
    return d.toNanos() % 1_000_000_000L == 0
        ? Long.toString(d.toSeconds())
        : Double.toString(d.toNanos() / 1e9);
  }

  /** A builder that starts from this value. */
  public Builder toBuilder() {
    Builder b =
        builder()
            .project(project)
            .backends(backends)
            .experimentName(experimentName)
            .runId(runId)
            .offline(offline)
            .trackSystem(trackSystem)
            .trackGit(trackGit)
            .trackEnv(trackEnv)
            .metricsInterval(metricsInterval)
            .enableAutomagic(enableAutomagic)
            .automagicFrameworks(automagicFrameworks)
            .enableArtifacts(enableArtifacts)
            .automagicArtifacts(automagicArtifacts)
            .watchFilesystem(watchFilesystem)
            .artifactWatchDirs(artifactWatchDirs)
            .queueMemoryBytes(queueMemoryBytes)
            .batchSize(batchSize)
            .flushInterval(flushInterval)
            .shutdownTimeout(shutdownTimeout)
            .pluginsDirs(pluginsDirs)
            .pluginsWatch(pluginsWatch)
            .journalDir(journalDir);
    backendValues.forEach(
        (backend, values) -> values.forEach((k, v) -> b.backendValue(backend, k, v)));
    secretKeys.forEach(b::secretKey);
    return b;
  }

  /** The settings as an {@link ExperimentConfig}, for experiments that are not given one. */
  public ExperimentConfig experimentConfig() {
    return ExperimentConfig.builder()
        .trackSystemMetrics(trackSystem)
        .trackGit(trackGit)
        .trackEnvironment(trackEnv)
        .enableAutomagic(enableAutomagic)
        .automagicFrameworks(automagicFrameworks)
        .enableArtifacts(enableArtifacts)
        .automagicArtifacts(automagicArtifacts)
        .watchFilesystem(watchFilesystem)
        .artifactWatchDirs(artifactWatchDirs)
        .build();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TraceletSettings s
        && asMap().equals(s.asMap())
        && backendValues.equals(s.backendValues);
  }

  @Override
  public int hashCode() {
    return asMap().hashCode();
  }

  /** All settings, secrets masked. */
  @Override
  public String toString() {
    return "TraceletSettings" + asMap();
  }

  /** Builds {@link TraceletSettings}; starts from the built-in defaults. */
  public static final class Builder {
    private String project = "default";
    private List<String> backends = List.of("local");
    private @Nullable String experimentName;
    private @Nullable String runId;
    private boolean offline;
    private boolean trackSystem = true;
    private boolean trackGit = true;
    private boolean trackEnv = true;
    private Duration metricsInterval = Duration.ofSeconds(10);
    private boolean enableAutomagic;
    private Set<String> automagicFrameworks = Set.of();
    private boolean enableArtifacts = true;
    private boolean automagicArtifacts;
    private boolean watchFilesystem;
    private List<String> artifactWatchDirs = List.of();
    private long queueMemoryBytes = 64L << 20;
    private int batchSize = 1_000;
    private Duration flushInterval = Duration.ofSeconds(1);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private List<String> pluginsDirs = List.of();
    private boolean pluginsWatch = true;
    private @Nullable String journalDir;
    private final Map<String, Map<String, String>> backendValues = new TreeMap<>();
    private final java.util.Set<String> secretKeys = new java.util.TreeSet<>();

    private Builder() {}

    public Builder project(String v) {
      project = v;
      return this;
    }

    public Builder backends(List<String> v) {
      backends = List.copyOf(v);
      return this;
    }

    public Builder experimentName(@Nullable String v) {
      experimentName = v;
      return this;
    }

    public Builder runId(@Nullable String v) {
      runId = v;
      return this;
    }

    public Builder offline(boolean v) {
      offline = v;
      return this;
    }

    public Builder trackSystem(boolean v) {
      trackSystem = v;
      return this;
    }

    public Builder trackGit(boolean v) {
      trackGit = v;
      return this;
    }

    public Builder trackEnv(boolean v) {
      trackEnv = v;
      return this;
    }

    public Builder metricsInterval(Duration v) {
      metricsInterval = v;
      return this;
    }

    public Builder enableAutomagic(boolean v) {
      enableAutomagic = v;
      return this;
    }

    public Builder automagicFrameworks(Set<String> v) {
      automagicFrameworks = Set.copyOf(v);
      return this;
    }

    public Builder enableArtifacts(boolean v) {
      enableArtifacts = v;
      return this;
    }

    public Builder automagicArtifacts(boolean v) {
      automagicArtifacts = v;
      return this;
    }

    public Builder watchFilesystem(boolean v) {
      watchFilesystem = v;
      return this;
    }

    public Builder artifactWatchDirs(List<String> v) {
      artifactWatchDirs = List.copyOf(v);
      return this;
    }

    /** Total queue memory of a run in bytes; at least 1 MiB. */
    public Builder queueMemoryBytes(long v) {
      if (v < (1L << 20)) {
        throw new IllegalArgumentException("queue memory must be at least 1 MiB, got " + v);
      }
      queueMemoryBytes = v;
      return this;
    }

    public Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    public Builder flushInterval(Duration v) {
      flushInterval = v;
      return this;
    }

    public Builder shutdownTimeout(Duration v) {
      shutdownTimeout = v;
      return this;
    }

    public Builder pluginsDirs(List<String> v) {
      pluginsDirs = List.copyOf(v);
      return this;
    }

    public Builder pluginsWatch(boolean v) {
      pluginsWatch = v;
      return this;
    }

    public Builder journalDir(@Nullable String v) {
      journalDir = v;
      return this;
    }

    /** Sets {@code <backend>.<key>}. */
    public Builder backendValue(String backend, String key, String value) {
      backendValues.computeIfAbsent(backend, b -> new TreeMap<>()).put(key, value);
      return this;
    }

    /** Marks a fully qualified key as secret, whatever its name. */
    public Builder secretKey(String key) {
      secretKeys.add(key);
      return this;
    }

    public TraceletSettings build() {
      return new TraceletSettings(this);
    }
  }
}
