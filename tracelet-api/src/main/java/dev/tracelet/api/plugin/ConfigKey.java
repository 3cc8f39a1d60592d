package dev.tracelet.api.plugin;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A setting a backend understands, declared by {@link BackendPlugin#configKeys()} so the runtime
 * can validate, document and mask it. The full key is {@code <backend>.<name>}; it is also read
 * from {@code TRACELET_<BACKEND>_<NAME>}, the system property {@code tracelet.<backend>.<name>},
 * and from each of {@link #envVars()} (the vendor's own variables, such as {@code
 * MLFLOW_TRACKING_URI}).
 *
 * @param name lower-case snake case, such as {@code tracking_uri}
 * @param description one line for {@code tracelet doctor}
 * @param defaultValue the value when nothing sets it, or null
 * @param secret whether the value must never be printed
 * @param envVars vendor environment variables that set it, first found wins
 */
public record ConfigKey(
    String name,
    String description,
    @Nullable String defaultValue,
    boolean secret,
    List<String> envVars) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("config key '" + name + "' must be lower_snake_case");
    }
    Objects.requireNonNull(description, "description");
    envVars = List.copyOf(envVars);
  }

  /** A plain key with no default and no vendor variable. */
  public static ConfigKey of(String name, String description) {
    return new ConfigKey(name, description, null, false, List.of());
  }
}
