package dev.tracelet.api.plugin;

/** The common face of every Tracelet plugin. */
public interface PluginInterface {
  PluginMetadata metadata();
}
