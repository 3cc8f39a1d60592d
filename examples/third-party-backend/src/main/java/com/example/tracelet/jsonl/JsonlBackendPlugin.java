package com.example.tracelet.jsonl;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * The {@code jsonl} backend: each run becomes one JSON-lines file, {@code <dir>/<run id>.jsonl},
 * with one line per event (the run's start, every parameter, tag and metric point, each artifact,
 * the end), and its artifact files under {@code <dir>/<run id>/artifacts/<name>/v<n>/}. Files like
 * these feed log shippers, {@code jq}, pandas or a data lake without any server.
 *
 * <p>Settings, under {@code jsonl.} ({@code TRACELET_JSONL_DIR}, {@code -Dtracelet.jsonl.dir}):
 * {@code dir} (default {@code tracelet-jsonl}, relative to the working directory) and {@code fsync}
 * ({@code true} forces every batch to disk before {@code log} returns; default {@code false}).
 *
 * <p>PF4J finds this class through {@code META-INF/extensions.idx}, written at compile time from
 * the {@link Extension} annotation; it needs a public no-argument constructor.
 */
@Extension
public final class JsonlBackendPlugin implements BackendPlugin {
  static final String NAME = "jsonl";
  static final String DEFAULT_DIR = "tracelet-jsonl";

  /** Run ids become file names: nothing that could leave the folder. */
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              "dir",
              "folder of the runs' JSON-lines files and artifacts",
              DEFAULT_DIR,
              false,
              List.of()),
          new ConfigKey(
              "fsync",
              "true forces every batch to disk before it counts as delivered",
              "false",
              false,
              List.of()));

  /** For PF4J. */
  public JsonlBackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    return new PluginMetadata(
        NAME, version(), "one JSON-lines file per run, artifacts beside it", PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return KEYS;
  }

  @Override
  public BackendSession open(BackendContext context) {
    Map<String, String> config = context.config();
    Path dir = Path.of(config.getOrDefault("dir", DEFAULT_DIR)).toAbsolutePath().normalize();
    boolean fsync = parseBoolean(config.getOrDefault("fsync", "false"));
    String runId = context.runId();
    if (!RUN_ID.matcher(runId).matches()) {
      throw new BackendException(
          NAME,
          "run id '"
              + runId
              + "' cannot name a file; use letters, digits, '.', '_' and '-' (at most 128)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      // Not reachable now (a missing mount, a full disk): the host retries the open.
      throw new BackendException(NAME, "cannot create the folder " + dir + ": " + e, e);
    }
    return JsonlSession.open(context, dir, fsync);
  }

  private static boolean parseBoolean(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("false")) {
      return v.equals("true");
    }
    throw new ConfigurationException(
        "Setting 'jsonl.fsync' is '" + value + "'; expected true or false.");
  }

  /** The JAR's version, from its manifest; "dev" when run from classes (tests, an IDE). */
  private static String version() {
    String v = JsonlBackendPlugin.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
