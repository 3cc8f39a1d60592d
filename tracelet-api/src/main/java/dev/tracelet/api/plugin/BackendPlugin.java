package dev.tracelet.api.plugin;

import dev.tracelet.api.store.RunStore;
import java.util.List;
import java.util.Optional;
import org.pf4j.ExtensionPoint;

/**
 * A backend: the PF4J extension point each backend plugin implements (annotate the class with
 * {@code @org.pf4j.Extension} and give it a public no-argument constructor).
 *
 * <p>The host creates one instance per plugin and calls {@link #open} once per run, from any
 * thread, possibly concurrently for different runs. {@code open} may do network I/O (create the
 * remote run); the host calls it off the training thread.
 */
public interface BackendPlugin extends PluginInterface, ExtensionPoint {
  /** Connects to the backend for one run. Throws if the backend cannot be reached or refuses. */
  BackendSession open(BackendContext context);

  /**
   * The settings this backend understands; keys under its prefix that are not listed are refused.
   */
  default List<ConfigKey> configKeys() {
    return List.of();
  }

  /** The read side without a run, for {@code Tracelet.store(name)}; empty if there is none. */
  default Optional<RunStore> openStore(PluginContext context) {
    return Optional.empty();
  }
}
