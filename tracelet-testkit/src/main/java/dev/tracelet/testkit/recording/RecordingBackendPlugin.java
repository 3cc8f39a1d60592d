package dev.tracelet.testkit.recording;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.TraceletVersion;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginContext;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.store.RunStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.pf4j.Extension;

/**
 * A backend named {@code recording} that keeps everything it receives in memory, for tests of the
 * host and of the compatibility kit.
 *
 * <p>Each opened run is registered under its Tracelet run id: {@link #recorded(String)} and {@link
 * #runs()} return what arrived, {@link #reset()} forgets it all. The registry is static, hence one
 * per class loader: when this class is loaded from the plugin JAR by PF4J, a test on the
 * application class path sees a different registry and reads the runs back through {@code
 * Tracelet.store("recording")} instead (see {@link #openStore(PluginContext)}).
 *
 * <p>Settings (under {@code recording.}): {@code fail_on_open} ({@code true} makes {@link #open}
 * throw a {@link BackendException}, for tests of a backend that is down) and {@code
 * max_batch_events} (the batch limit the sessions announce and enforce, default 1000). Other keys
 * are refused.
 */
@Extension
public final class RecordingBackendPlugin implements BackendPlugin {
  /** The name users select this backend by. */
  public static final String NAME = "recording";

  static final String FAIL_ON_OPEN = "fail_on_open";
  static final String MAX_BATCH_EVENTS = "max_batch_events";
  static final int DEFAULT_MAX_BATCH_EVENTS = 1_000;

  private static final List<ConfigKey> CONFIG_KEYS =
      List.of(
          new ConfigKey(
              FAIL_ON_OPEN,
              "true makes open() throw a BackendException, to test a backend that is down",
              "false",
              false,
              List.of()),
          new ConfigKey(
              MAX_BATCH_EVENTS,
              "most events one log() call may carry; larger batches are refused",
              Integer.toString(DEFAULT_MAX_BATCH_EVENTS),
              false,
              List.of()));

  // Guarded by itself; insertion order is the order runs were first opened.
  private static final Map<String, RecordedRun> RUNS = new LinkedHashMap<>();

  /** The constructor PF4J calls. */
  public RecordingBackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    return new PluginMetadata(
        NAME,
        TraceletVersion.version(),
        "Keeps every run in memory, for tests",
        PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return CONFIG_KEYS;
  }

  /**
   * Opens a session recording into a new {@link RecordedRun}, or into the existing one when the
   * context says the run is {@linkplain BackendContext#resumed() resumed}.
   *
   * @throws BackendException if {@code fail_on_open} is set, or if the run id is already recorded
   *     and the context is not a resume (two sessions for one run point at a host bug)
   * @throws ConfigurationException if a setting is unknown or malformed
   */
  @Override
  public BackendSession open(BackendContext context) {
    Objects.requireNonNull(context, "context");
    Map<String, String> config = context.config();
    requireKnownKeys(config);
    if (parseBoolean(config, FAIL_ON_OPEN, false)) {
      throw new BackendException(
          NAME,
          "refusing to open run "
              + context.runId()
              + " because recording.fail_on_open is true; unset it to let runs open");
    }
    int maxBatchEvents = parsePositiveInt(config, MAX_BATCH_EVENTS, DEFAULT_MAX_BATCH_EVENTS);
    return new RecordingSession(register(context), maxBatchEvents, context.scratchDir());
  }

  /** The read side over this class loader's registry; {@code artifactPath} writes under scratch. */
  @Override
  public Optional<RunStore> openStore(PluginContext context) {
    return Optional.of(new RecordingStore(context.scratchDir()));
  }

  /** What was recorded for the Tracelet run {@code runId}, if a session was opened for it. */
  public static Optional<RecordedRun> recorded(String runId) {
    Objects.requireNonNull(runId, "runId");
    synchronized (RUNS) {
      return Optional.ofNullable(RUNS.get(runId));
    }
  }

  /** Every recorded run, in the order they were first opened. */
  public static List<RecordedRun> runs() {
    synchronized (RUNS) {
      return List.copyOf(RUNS.values());
    }
  }

  /**
   * Forgets every recorded run. Sessions still open keep writing to their (now unlisted) runs, so
   * call it between tests, not during one.
   */
  public static void reset() {
    synchronized (RUNS) {
      RUNS.clear();
    }
  }

  static boolean forget(String runId) {
    synchronized (RUNS) {
      return RUNS.remove(runId) != null;
    }
  }

  private static RecordedRun register(BackendContext context) {
    synchronized (RUNS) {
      RecordedRun existing = RUNS.get(context.runId());
      if (existing == null) {
        RecordedRun run = new RecordedRun(context);
        RUNS.put(run.runId(), run);
        return run;
      }
      if (context.resumed()) {
        existing.recordResume();
        return existing;
      }
      throw new BackendException(
          NAME,
          "run "
              + context.runId()
              + " is already recorded and the context is not a resume; open it with"
              + " resumed=true to continue it, use a fresh run id, or call"
              + " RecordingBackendPlugin.reset() between tests");
    }
  }

  private static void requireKnownKeys(Map<String, String> config) {
    List<String> known = new ArrayList<>();
    CONFIG_KEYS.forEach(k -> known.add(k.name()));
    for (String key : config.keySet()) {
      if (!known.contains(key)) {
        throw new ConfigurationException(
            "Unknown setting recording." + key + "; the recording backend understands " + known);
      }
    }
  }

  private static boolean parseBoolean(Map<String, String> config, String key, boolean dflt) {
    @Nullable String value = config.get(key);
    if (value == null) {
      return dflt;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default ->
          throw new ConfigurationException(
              "Bad value '" + value + "' for recording." + key + ": use true or false");
    };
  }

  private static int parsePositiveInt(Map<String, String> config, String key, int dflt) {
    @Nullable String value = config.get(key);
    if (value == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the accepted form
    }
    throw new ConfigurationException(
        "Bad value '" + value + "' for recording." + key + ": use a whole number of at least 1");
  }
}
