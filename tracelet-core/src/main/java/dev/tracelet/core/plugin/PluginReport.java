package dev.tracelet.core.plugin;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One line of {@code tracelet plugins list}: a plugin JAR (or the class path) and what became of
 * it.
 *
 * @param id the PF4J plugin id, or {@code classpath} for backends found on the class path
 * @param version the plugin's version, or empty when its descriptor could not be read
 * @param type what it provides ({@code backend})
 * @param state STARTED, DISABLED, FAILED, … or BROKEN when the JAR could not be loaded at all
 * @param file the JAR, or {@code classpath}
 * @param backends the backend names it provides
 * @param error why it is not usable, or null
 */
public record PluginReport(
    String id,
    String version,
    String type,
    String state,
    String file,
    List<String> backends,
    @Nullable String error) {
  public PluginReport {
    backends = List.copyOf(backends);
  }

  public boolean usable() {
    return error == null;
  }
}
