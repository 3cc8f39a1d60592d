package dev.tracelet.core.plugin;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The live set of backends, by name. It changes when plugins load or unload, so it is a
 * copy-on-write map rather than a Guice multibinding (whose elements can never be removed). Reads
 * take no lock.
 */
public final class BackendRegistry {
  private volatile Map<String, RegisteredBackend> backends = Map.of();

  public Optional<RegisteredBackend> find(String name) {
    return Optional.ofNullable(backends.get(name));
  }

  public Set<String> names() {
    return new TreeSet<>(backends.keySet());
  }

  public Collection<RegisteredBackend> all() {
    return backends.values();
  }

  /** Adds or replaces a backend; returns the one it replaced, if any. */
  synchronized Optional<RegisteredBackend> put(RegisteredBackend backend) {
    Map<String, RegisteredBackend> copy = new LinkedHashMap<>(backends);
    RegisteredBackend old = copy.put(backend.name(), backend);
    backends = Map.copyOf(copy);
    return Optional.ofNullable(old);
  }

  /** Removes every backend that a plugin provided. */
  synchronized void removePlugin(String pluginId) {
    Map<String, RegisteredBackend> copy = new LinkedHashMap<>(backends);
    copy.values().removeIf(b -> pluginId.equals(b.pluginId()));
    backends = Map.copyOf(copy);
  }

  /** For tests and embedders: registers a backend instance directly, as if from the class path. */
  public void register(RegisteredBackend backend) {
    put(backend);
  }
}
