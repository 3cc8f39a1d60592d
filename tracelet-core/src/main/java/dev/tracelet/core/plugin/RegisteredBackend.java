package dev.tracelet.core.plugin;

import dev.tracelet.api.plugin.BackendPlugin;
import org.jspecify.annotations.Nullable;

/**
 * A backend the host can open sessions on.
 *
 * @param name the backend's name from its metadata
 * @param plugin the extension instance (one per plugin, reused for every session)
 * @param loader the class loader to set as context loader around calls into it
 * @param pluginId the PF4J plugin id, or null for a backend found on the class path
 * @param source the plugin JAR, or {@code "classpath"}
 */
public record RegisteredBackend(
    String name,
    BackendPlugin plugin,
    ClassLoader loader,
    @Nullable String pluginId,
    String source) {}
