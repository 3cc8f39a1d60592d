package dev.tracelet.api.plugin;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a plugin says about itself.
 *
 * @param name the name users select it by ({@code "mlflow"}): lower-case letters, digits, {@code -}
 *     and {@code _}, starting with a letter
 * @param version the plugin's version
 * @param description one line for {@code tracelet plugins list}
 * @param type what it contributes
 */
public record PluginMetadata(String name, String version, String description, PluginType type) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

  public PluginMetadata {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "plugin name '"
              + name
              + "' must be 1-64 lower-case letters, digits, '-' or '_', starting with a letter");
    }
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(type, "type");
  }
}
