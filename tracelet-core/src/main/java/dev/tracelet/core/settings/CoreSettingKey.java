package dev.tracelet.core.settings;

import dev.tracelet.api.TraceletSettings;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The settings the runtime itself understands, with their parsers and documentation. */
enum CoreSettingKey {
  PROJECT(
      "project",
      "default project (the store's experiment)",
      (b, v) -> b.project(Values.nonEmpty(v))),
  BACKEND(
      "backend",
      "backends each experiment logs to, comma-separated",
      (b, v) -> b.backends(Values.backendNames(v))),
  EXPERIMENT_NAME(
      "experiment_name",
      "experiment name when startLogging is given none",
      (b, v) -> b.experimentName(Values.nonEmpty(v))),
  RUN_ID("run_id", "run id to resume or join", (b, v) -> b.runId(Values.runId(v))),
  MODE(
      "mode",
      "online, or offline to keep remote backends for a later sync",
      (b, v) -> b.offline(Values.offlineMode(v))),
  TRACK_SYSTEM(
      "track_system",
      "sample CPU, memory and disk while a run is open",
      (b, v) -> b.trackSystem(Values.bool(v))),
  TRACK_GIT(
      "track_git",
      "record git commit, branch, dirty state and diff",
      (b, v) -> b.trackGit(Values.bool(v))),
  TRACK_ENV(
      "track_env", "record JVM, OS, host and class path", (b, v) -> b.trackEnv(Values.bool(v))),
  METRICS_INTERVAL(
      "metrics_interval",
      "how often system metrics are sampled",
      (b, v) -> b.metricsInterval(Values.duration(v, false))),
  ENABLE_AUTOMAGIC(
      "enable_automagic", "automatic instrumentation", (b, v) -> b.enableAutomagic(Values.bool(v))),
  AUTOMAGIC_FRAMEWORKS(
      "automagic_frameworks",
      "frameworks to instrument, comma-separated",
      (b, v) -> b.automagicFrameworks(Values.set(v))),
  ENABLE_ARTIFACTS(
      "enable_artifacts",
      "deliver artifacts to backends",
      (b, v) -> b.enableArtifacts(Values.bool(v))),
  AUTOMAGIC_ARTIFACTS(
      "automagic_artifacts",
      "log artifacts found automatically",
      (b, v) -> b.automagicArtifacts(Values.bool(v))),
  WATCH_FILESYSTEM(
      "watch_filesystem", "watch artifact folders", (b, v) -> b.watchFilesystem(Values.bool(v))),
  ARTIFACT_WATCH_DIRS(
      "artifact_watch_dirs",
      "folders to watch, comma-separated",
      (b, v) -> b.artifactWatchDirs(Values.list(v))),
  QUEUE_MEMORY(
      "queue_memory",
      "memory a run's queues may hold in total before events spill to the journal",
      (b, v) -> b.queueMemoryBytes(Values.byteSize(v, 1L << 20))),
  BATCH_SIZE(
      "batch_size", "most events per backend call", (b, v) -> b.batchSize(Values.positiveInt(v))),
  FLUSH_INTERVAL(
      "flush_interval",
      "longest time an event waits before it is sent",
      (b, v) -> b.flushInterval(Values.duration(v, false))),
  SHUTDOWN_TIMEOUT(
      "shutdown_timeout",
      "how long stop, close and the shutdown hook wait for delivery",
      (b, v) -> b.shutdownTimeout(Values.duration(v, true))),
  JOURNAL_DIR(
      "journal_dir",
      "folder for events a backend could not take yet (off: drop them)",
      (b, v) -> b.journalDir(Values.nonEmpty(v))),
  PLUGINS_ALLOWED_SHA256(
      "plugins_allowed_sha256",
      "SHA-256 digests of the only plugin JARs allowed to load, comma-separated (empty: any)",
      (b, v) -> {}),
  PLUGINS_WATCH(
      "plugins_watch",
      "load and unload plugin JARs added to or removed from the plugin folders while running",
      (b, v) -> b.pluginsWatch(Values.bool(v))),
  PLUGINS_DIR(
      "plugins_dir", "plugin folders, comma-separated", (b, v) -> b.pluginsDirs(Values.list(v)));

  private static final Map<String, CoreSettingKey> BY_KEY =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(k -> k.key, Function.identity()));

  private final String key;
  private final String description;
  private final BiConsumer<TraceletSettings.Builder, String> apply;

  CoreSettingKey(
      String key, String description, BiConsumer<TraceletSettings.Builder, String> apply) {
    this.key = key;
    this.description = description;
    this.apply = apply;
  }

  String key() {
    return key;
  }

  String description() {
    return description;
  }

  /**
   * Parses {@code value} into the builder; throws IllegalArgumentException with the accepted form.
   */
  void apply(TraceletSettings.Builder builder, String value) {
    apply.accept(builder, value);
  }

  static Optional<CoreSettingKey> of(String key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  static String allKeys() {
    return Arrays.stream(values()).map(k -> k.key).sorted().collect(Collectors.joining(", "));
  }
}
