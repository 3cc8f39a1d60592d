package dev.tracelet.core.plugin;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads backend plugins from the plugins folders with PF4J in deployment mode, and backends found
 * on the class path, into a {@link BackendRegistry}.
 *
 * <p>A JAR that cannot be loaded, a plugin whose {@code Plugin-Requires} this host does not meet,
 * one that fails to start or provides no backend: each is reported by {@link #reports()} with the
 * reason and skipped, and the others load. A backend from a plugins folder wins over one of the
 * same name on the class path. Every PF4J call is made under this object's lock, because PF4J's
 * managers are not thread-safe.
 */
public final class PluginHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

  private List<Path> roots = List.of();
  private final String systemVersion;
  private final BackendRegistry registry;
  private final List<PluginReport> reports = new ArrayList<>();
  private @Nullable TraceletPluginManager manager;

  public PluginHost(String systemVersion, BackendRegistry registry) {
    this.systemVersion = systemVersion;
    this.registry = registry;
  }

  /** The folders searched, in order; those that do not exist are skipped. */
  public synchronized List<Path> roots() {
    return roots;
  }

  public BackendRegistry registry() {
    return registry;
  }

  /**
   * Loads and starts every plugin JAR in {@code pluginRoots} (first wins), then registers
   * class-path backends. A second call does nothing.
   */
  public synchronized void start(List<Path> pluginRoots) {
    if (manager != null) {
      return;
    }
    this.roots = List.copyOf(pluginRoots);
    List<Path> existing = roots.stream().filter(Files::isDirectory).toList();
    TraceletPluginManager m = new TraceletPluginManager(existing, systemVersion);
    manager = m;
    List<Path> jars = existing.isEmpty() ? List.of() : m.pluginPaths();
    for (Path jar : jars) {
      try {
        m.loadPlugin(jar);
      } catch (RuntimeException e) {
        String why = Failures.describe(e);
        log.warn("Skipping plugin {}: {}", jar, why);
        reports.add(
            new PluginReport(
                jar.getFileName().toString(),
                "",
                "unknown",
                "BROKEN",
                jar.toString(),
                List.of(),
                why));
      }
    }
    m.startPlugins();
    for (PluginWrapper w : m.getPlugins()) {
      reports.add(register(m, w));
    }
    registerClasspathBackends(m);
  }

  private PluginReport register(TraceletPluginManager m, PluginWrapper w) {
    PluginDescriptor d = w.getDescriptor();
    String file = String.valueOf(w.getPluginPath());
    String state = w.getPluginState().toString();
    if (w.getPluginState() != PluginState.STARTED) {
      String why = notStartedReason(w);
      log.warn("Plugin {} {} is {}: {}", d.getPluginId(), d.getVersion(), state, why);
      return new PluginReport(
          d.getPluginId(), d.getVersion(), "unknown", state, file, List.of(), why);
    }
    ClassLoader loader = w.getPluginClassLoader();
    List<String> names = new ArrayList<>();
    try {
      List<BackendPlugin> found =
          PluginCalls.withLoader(
              loader, () -> m.getExtensions(BackendPlugin.class, d.getPluginId()));
      if (found.isEmpty()) {
        return new PluginReport(
            d.getPluginId(),
            d.getVersion(),
            "unknown",
            state,
            file,
            List.of(),
            "provides no BackendPlugin: its JAR lacks META-INF/extensions.idx, or the backend class"
                + " is not annotated @Extension (build it with annotation processing on)");
      }
      List<String> conflicts = new ArrayList<>();
      for (BackendPlugin plugin : found) {
        PluginMetadata meta = PluginCalls.withLoader(loader, plugin::metadata);
        Optional<RegisteredBackend> other = registry.find(meta.name());
        if (other.isPresent() && other.get().pluginId() != null) {
          conflicts.add(
              "backend '" + meta.name() + "' is already provided by " + other.get().source());
          continue;
        }
        registry.put(new RegisteredBackend(meta.name(), plugin, loader, d.getPluginId(), file));
        names.add(meta.name());
      }
      return new PluginReport(
          d.getPluginId(),
          d.getVersion(),
          type(found),
          state,
          file,
          names,
          conflicts.isEmpty() ? null : String.join("; ", conflicts));
    } catch (RuntimeException | LinkageError e) {
      String why = Failures.describe(e);
      log.warn("Plugin {} failed while registering its backends: {}", d.getPluginId(), why);
      return new PluginReport(
          d.getPluginId(), d.getVersion(), "unknown", "FAILED", file, names, why);
    }
  }

  private void registerClasspathBackends(TraceletPluginManager m) {
    List<BackendPlugin> found;
    try {
      found = m.getExtensions(BackendPlugin.class, null);
    } catch (RuntimeException | LinkageError e) {
      reports.add(
          new PluginReport(
              "classpath", "", "backend", "FAILED", "classpath", List.of(), Failures.describe(e)));
      return;
    }
    for (BackendPlugin plugin : found) {
      PluginMetadata meta;
      try {
        meta = plugin.metadata();
      } catch (RuntimeException | LinkageError e) {
        reports.add(
            new PluginReport(
                plugin.getClass().getName(),
                "",
                "backend",
                "FAILED",
                "classpath",
                List.of(),
                Failures.describe(e)));
        continue;
      }
      Optional<RegisteredBackend> other = registry.find(meta.name());
      if (other.isPresent()) {
        reports.add(
            new PluginReport(
                "classpath",
                meta.version(),
                "backend",
                "SHADOWED",
                "classpath",
                List.of(meta.name()),
                "backend '"
                    + meta.name()
                    + "' on the class path is shadowed by "
                    + other.get().source()));
        continue;
      }
      ClassLoader loader = plugin.getClass().getClassLoader();
      registry.put(new RegisteredBackend(meta.name(), plugin, loader, null, "classpath"));
      reports.add(
          new PluginReport(
              "classpath",
              meta.version(),
              meta.type().name().toLowerCase(java.util.Locale.ROOT),
              "STARTED",
              "classpath",
              List.of(meta.name()),
              null));
    }
  }

  private String notStartedReason(PluginWrapper w) {
    PluginDescriptor d = w.getDescriptor();
    Throwable failed = w.getFailedException();
    String requires = d.getRequires();
    if (w.getPluginState() == PluginState.DISABLED
        && requires != null
        && !requires.isBlank()
        && !"*".equals(requires.trim())
        && !m().getVersionManager().checkVersionConstraint(systemVersion, requires)) {
      return "requires Tracelet "
          + requires
          + " but this is Tracelet "
          + systemVersion
          + "; install a version of the plugin built for Tracelet "
          + systemVersion
          + " or upgrade Tracelet";
    }
    if (failed != null) {
      return Failures.describe(failed);
    }
    if (w.getPluginState() == PluginState.DISABLED) {
      return "disabled (listed in disabled.txt, or missing from enabled.txt, in the plugins folder)";
    }
    return "not started (state " + w.getPluginState() + ")";
  }

  private TraceletPluginManager m() {
    TraceletPluginManager m = manager;
    if (m == null) {
      throw new IllegalStateException("plugin host not started");
    }
    return m;
  }

  private static String type(List<BackendPlugin> found) {
    return PluginType.BACKEND.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** What became of every plugin JAR and class-path backend, in load order. */
  public synchronized List<PluginReport> reports() {
    return List.copyOf(reports);
  }

  /** Stops and unloads every plugin, closing their class loaders. */
  @Override
  public synchronized void close() {
    TraceletPluginManager m = manager;
    if (m == null) {
      return;
    }
    for (PluginWrapper w : List.copyOf(m.getPlugins())) {
      registry.removePlugin(w.getPluginId());
    }
    try {
      m.stopPlugins();
      m.unloadPlugins();
    } catch (RuntimeException e) {
      log.warn("Error while unloading plugins: {}", Failures.describe(e));
    }
    manager = null;
  }
}
