package dev.tracelet.api.plugin;

import java.nio.file.Path;
import java.util.Map;

/** What the host gives a plugin: its own settings, a logger and a scratch directory. */
public interface PluginContext {
  /**
   * The backend's own settings without their prefix ({@code tracking_uri}), defaults applied,
   * secrets unmasked. Never holds another backend's keys.
   */
  Map<String, String> config();

  /** A logger that routes through the host's logging; never print to stdout from a plugin. */
  System.Logger logger();

  /** A directory the plugin may write temporary files to; it exists. */
  Path scratchDir();

  /** The host's Tracelet version, as {@code Plugin-Requires} is checked against. */
  String hostVersion();
}
