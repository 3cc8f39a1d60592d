package dev.tracelet.core.settings;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Where settings come from, captured once so that loading is a pure function of it (and tests can
 * give their own environment instead of mutating the process's).
 *
 * @param environment environment variables
 * @param systemProperties system properties
 * @param workingDirectory where {@code tracelet.yaml} is looked for first
 * @param home the distribution's folder ({@code -Dtracelet.home}), whose {@code conf/} is looked in
 *     last, or null outside a distribution
 */
public record SettingsSources(
    Map<String, String> environment,
    Map<String, String> systemProperties,
    Path workingDirectory,
    @Nullable Path home) {

  public SettingsSources {
    environment = Map.copyOf(environment);
    systemProperties = Map.copyOf(systemProperties);
  }

  /** This process's environment, system properties and working directory. */
  public static SettingsSources system() {
    Map<String, String> props = new HashMap<>();
    Properties p = System.getProperties();
    for (String name : p.stringPropertyNames()) {
      props.put(name, p.getProperty(name));
    }
    String home = props.get("tracelet.home");
    return new SettingsSources(
        System.getenv(),
        props,
        Path.of("").toAbsolutePath(),
        home == null || home.isBlank() ? null : Path.of(home).toAbsolutePath());
  }

  public Optional<Path> homeDir() {
    return Optional.ofNullable(home);
  }
}
