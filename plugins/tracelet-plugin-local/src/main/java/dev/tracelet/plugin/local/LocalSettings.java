package dev.tracelet.plugin.local;

import dev.tracelet.api.ConfigurationException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The local backend's settings, parsed from the plugin's own config map.
 *
 * @param dir the store's root folder (relative paths are resolved against the working directory)
 * @param busyTimeoutMs how long a writer waits for another process's transaction
 * @param codeSnapshotMaxBytes the largest uncommitted diff kept as the code snapshot
 */
record LocalSettings(Path dir, int busyTimeoutMs, long codeSnapshotMaxBytes) {
  static final String DIR = "dir";
  static final String BUSY_TIMEOUT_MS = "busy_timeout_ms";
  static final String CODE_SNAPSHOT_MAX_BYTES = "code_snapshot_max_bytes";
  static final String DEFAULT_DIR = "tracelet-runs";
  static final String DEFAULT_BUSY_TIMEOUT_MS = "30000";
  static final String DEFAULT_CODE_SNAPSHOT_MAX_BYTES = "5242880";

  static LocalSettings from(Map<String, String> config) {
    String dirText = config.getOrDefault(DIR, DEFAULT_DIR);
    Path dir;
    try {
      dir = Path.of(dirText.isBlank() ? DEFAULT_DIR : dirText).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new ConfigurationException(
          "local.dir '" + dirText + "' is not a valid path: " + e.getMessage());
    }
    int busy =
        (int)
            number(
                config,
                BUSY_TIMEOUT_MS,
                DEFAULT_BUSY_TIMEOUT_MS,
                0,
                Integer.MAX_VALUE,
                "milliseconds");
    long snapshot =
        number(
            config,
            CODE_SNAPSHOT_MAX_BYTES,
            DEFAULT_CODE_SNAPSHOT_MAX_BYTES,
            0,
            Long.MAX_VALUE,
            "bytes");
    return new LocalSettings(dir, busy, snapshot);
  }

  private static long number(
      Map<String, String> config, String key, String def, long min, long max, String unit) {
    String text = config.getOrDefault(key, def).strip();
    try {
      long v = Long.parseLong(text);
      if (v < min || v > max) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new ConfigurationException(
          "local."
              + key
              + " '"
              + text
              + "' is not valid; give a whole number of "
              + unit
              + " between "
              + min
              + " and "
              + max);
    }
  }
}
