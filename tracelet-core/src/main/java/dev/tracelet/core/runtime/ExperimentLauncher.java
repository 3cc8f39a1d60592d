package dev.tracelet.core.runtime;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.TraceletVersion;
import dev.tracelet.core.collect.SystemMetricsCollector;
import dev.tracelet.core.dispatch.ExperimentDispatcher;
import dev.tracelet.core.dispatch.RunManifest;
import dev.tracelet.core.plugin.BackendRegistry;
import dev.tracelet.core.plugin.RegisteredBackend;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns start options and settings into a running {@link DefaultExperiment}: checks every name and
 * backend before anything is created, then starts one dispatcher channel per backend (whose worker
 * opens the backend's session off the caller's thread).
 */
@Singleton
public final class ExperimentLauncher {
  private final BackendRegistry registry;
  private final SystemMetricsCollector collector;

  @Inject
  ExperimentLauncher(BackendRegistry registry, SystemMetricsCollector collector) {
    this.registry = registry;
    this.collector = collector;
  }

  /** A new run id: 32 lower-case hex characters from 122 random bits, like MLflow's. */
  public static String newRunId() {
    UUID u = UUID.randomUUID();
    return HexFormat.of().toHexDigits(u.getMostSignificantBits())
        + HexFormat.of().toHexDigits(u.getLeastSignificantBits());
  }

  /** What {@link #check} found valid: the start's names, tags and backends. */
  private record Checked(String name, String project, List<String> tags, List<String> backends) {}

  /**
   * Checks names, tags and backends of a start without starting anything, so that a bad start fails
   * before the active experiment is stopped.
   *
   * @throws IllegalArgumentException for a bad name or tag
   * @throws ConfigurationException for a backend that is not installed or cannot run as set
   */
  public void check(TraceletSettings settings, StartOptions options) {
    checked(settings, options);
  }

  private Checked checked(TraceletSettings settings, StartOptions options) {
    String name = requireName(options.experimentName());
    String project = Names.requireKey("Project", options.project().orElse(settings.project()));
    List<String> tags = new ArrayList<>();
    for (String tag : options.tags()) {
      tags.add(requireTag(tag));
    }
    List<String> backendNames =
        options.backends().isEmpty()
            ? settings.backends()
            : options.backends().stream()
                .map(b -> b.trim().toLowerCase(Locale.ROOT))
                .distinct()
                .toList();
    if (backendNames.isEmpty()) {
      throw new ConfigurationException(
          "No backend selected; set 'backend' (for example backend=local) or pass backends to"
              + " startLogging.");
    }
    for (String b : backendNames) {
      registry
          .find(b)
          .orElseThrow(
              () ->
                  new ConfigurationException(
                      "Backend '"
                          + b
                          + "' is not installed. Installed backends: "
                          + (registry.names().isEmpty()
                              ? "(none)"
                              : String.join(", ", registry.names()))
                          + ". Put its plugin JAR into the plugins folder (see 'tracelet plugins"
                          + " list'), or choose another backend."));
    }
    return new Checked(name, project, tags, backendNames);
  }

  public DefaultExperiment launch(
      TraceletSettings settings, StartOptions options, Consumer<DefaultExperiment> onEnd) {
    Checked checked = checked(settings, options);
    String name = checked.name();
    String project = checked.project();
    List<String> tags = checked.tags();
    List<String> backendNames = checked.backends();
    ExperimentConfig config = options.experimentConfig().orElse(settings.experimentConfig());
    boolean resumed = settings.runId().isPresent();
    String runId = settings.runId().orElseGet(ExperimentLauncher::newRunId);
    Instant now = Instant.now();
    Path scratch;
    try {
      scratch =
          Files.createTempDirectory(
              "tracelet-" + runId.substring(0, Math.min(8, runId.length())) + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a scratch directory for run " + runId, e);
    }
    List<ExperimentDispatcher.Target> targets = new ArrayList<>();
    for (String backendName : backendNames) {
      BackendRegistry.Lease lease = registry.acquire(backendName);
      RegisteredBackend b = lease.backend();
      Path dir = scratch.resolve(b.name());
      RunContext context =
          new RunContext(
              settings.backendConfig(b.name()),
              System.getLogger("dev.tracelet.backend." + b.name()),
              dir,
              TraceletVersion.apiVersion(),
              runId,
              name,
              project,
              tags,
              now,
              config,
              resumed);
      // Offline: only the local store is written now; the others wait in the journal for sync.
      RunManifest offline =
          OfflineBackends.keptOffline(settings, b.name())
              ? new RunManifest(runId, b.name(), name, project, tags, RunStatus.RUNNING)
              : null;
      if (offline != null && journalDir(settings) == null) {
        lease.close();
        throw new ConfigurationException(
            "mode=offline keeps backend '"
                + b.name()
                + "' in the journal, but journal_dir is off; set journal_dir to a folder.");
      }
      targets.add(
          new ExperimentDispatcher.Target(
              b.name(),
              b.loader(),
              () -> {
                try {
                  Files.createDirectories(dir);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return b.plugin().open(context);
              },
              lease::close,
              offline));
    }
    ExperimentDispatcher dispatcher =
        ExperimentDispatcher.start(
            runId,
            targets,
            journalDir(settings),
            settings.queueMemoryBytes(),
            settings.batchSize(),
            settings.flushInterval());
    DefaultExperiment experiment =
        new DefaultExperiment(
            runId,
            name,
            project,
            now,
            tags,
            config,
            dispatcher,
            settings.shutdownTimeout(),
            scratch,
            onEnd);
    if (config.trackSystemMetrics()) {
      experiment.attach(collector.start(experiment, settings.metricsInterval()));
    }
    return experiment;
  }

  /** The journal folder: the setting, {@code off} for none, or {@code ~/.tracelet/journal}. */
  public static @Nullable Path journalDir(TraceletSettings settings) {
    String v = settings.journalDir().orElse("");
    if (v.equalsIgnoreCase("off") || v.equalsIgnoreCase("none")) {
      return null;
    }
    if (v.isBlank()) {
      return Path.of(System.getProperty("user.home"), ".tracelet", "journal");
    }
    return Path.of(v).toAbsolutePath();
  }

  private static String requireName(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Experiment name must not be blank");
    }
    String t = name.strip();
    if (t.length() > 250 || t.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "Experiment name must be at most 250 characters without control characters");
    }
    return t;
  }

  private static String requireTag(String tag) {
    if (tag == null
        || tag.isBlank()
        || tag.length() > 250
        || tag.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "Tag '" + tag + "' must be 1-250 characters without control characters");
    }
    return tag.strip();
  }
}
