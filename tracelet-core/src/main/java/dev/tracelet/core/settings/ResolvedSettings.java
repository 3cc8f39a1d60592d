package dev.tracelet.core.settings;

import dev.tracelet.api.TraceletSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Settings after loading: the typed value, where each explicitly set key came from, and the
 * settings file that was read, if any. {@link #origins()} never holds values, so it is safe to
 * print.
 */
public record ResolvedSettings(
    TraceletSettings settings, Map<String, String> origins, @Nullable Path file) {
  public ResolvedSettings {
    origins = Map.copyOf(origins);
  }

  public Optional<Path> settingsFile() {
    return Optional.ofNullable(file);
  }
}
