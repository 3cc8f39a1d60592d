package dev.tracelet.core.plugin;

import dev.tracelet.api.ConfigurationException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live set of backends, by name. It changes when plugins load or unload, so it is a
 * copy-on-write map rather than a Guice multibinding (whose elements can never be removed). Reads
 * take no lock.
 *
 * <p>Each session a run opens on a plugin's backend holds a {@link Lease}; a plugin is unloaded
 * only once its leases are released, so removing a JAR never disturbs a running experiment.
 */
public final class BackendRegistry {
  private volatile Map<String, RegisteredBackend> backends = Map.of();
  private final Map<String, AtomicInteger> leases = new ConcurrentHashMap<>();

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

  /** Removes every backend that a plugin provided; sessions already open keep working. */
  synchronized void removePlugin(String pluginId) {
    Map<String, RegisteredBackend> copy = new LinkedHashMap<>(backends);
    copy.values().removeIf(b -> pluginId.equals(b.pluginId()));
    backends = Map.copyOf(copy);
  }

  /** For tests and embedders: registers a backend instance directly, as if from the class path. */
  public void register(RegisteredBackend backend) {
    put(backend);
  }

  /**
   * Takes a backend for one session, keeping its plugin loaded until the lease is closed.
   *
   * @throws ConfigurationException if no backend has that name
   */
  public Lease acquire(String name) {
    RegisteredBackend b =
        find(name)
            .orElseThrow(
                () -> new ConfigurationException("Backend '" + name + "' is not installed."));
    String id = b.pluginId();
    if (id != null) {
      leases.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    }
    return new Lease(b, this);
  }

  /** Sessions currently open on a plugin's backends. */
  public int openSessions(String pluginId) {
    AtomicInteger n = leases.get(pluginId);
    return n == null ? 0 : n.get();
  }

  private void release(RegisteredBackend b) {
    String id = b.pluginId();
    if (id != null) {
      leases.computeIfPresent(id, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /** One session's hold on a backend. Closing it twice releases once. */
  public static final class Lease implements AutoCloseable {
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile RegisteredBackend backend;
    private final BackendRegistry registry;

    private Lease(RegisteredBackend backend, BackendRegistry registry) {
      this.backend = backend;
      this.registry = registry;
    }

    public RegisteredBackend backend() {
      RegisteredBackend b = backend;
      if (b == null) {
        throw new IllegalStateException("lease released");
      }
      return b;
    }

    @Override
    public void close() {
      RegisteredBackend b = backend;
      if (b != null && released.compareAndSet(false, true)) {
        registry.release(b);
        // Drop the reference so a finished run does not pin an unloaded plugin's class loader.
        backend = null;
      }
    }
  }
}
