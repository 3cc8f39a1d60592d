package dev.tracelet.core.plugin;

import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.PluginMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.jspecify.annotations.Nullable;
import org.pf4j.PluginAlreadyLoadedException;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads backend plugins from the plugins folders with PF4J in deployment mode, and backends found
 * on the class path, into a {@link BackendRegistry}; loads and unloads JARs while the process runs
 * ({@link PluginFolderWatcher} calls {@link #loadJar} and {@link #removeJar}).
 *
 * <p>A JAR that cannot be loaded, a plugin whose {@code Plugin-Requires} this host does not meet,
 * one that fails to start or provides no backend: each is reported by {@link #reports()} with the
 * reason and skipped, and the others load. A backend from a plugins folder wins over one of the
 * same name on the class path.
 *
 * <p>Each JAR is copied to a private staging folder and loaded from there, so the user's file is
 * never held open: it can be replaced or deleted at any time, and a half-written copy never reaches
 * a class loader. A removed JAR's backends leave the registry at once (no new sessions); the plugin
 * itself is stopped and unloaded when its last open session ends. Every PF4J call is made under
 * this object's lock, because PF4J's managers are not thread-safe.
 */
public final class PluginHost implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

  /** What {@link #loadJar} did. */
  public enum LoadResult {
    LOADED,
    /** Reported as broken, disabled or failed; it will not be tried again until it changes. */
    REFUSED,
    /** Another version of the plugin is still unloading; try again later. */
    RETRY
  }

  private final String systemVersion;
  private final BackendRegistry registry;
  private final Map<Path, String> pluginIdByJar = new LinkedHashMap<>();
  private final Map<String, Path> stagedById = new LinkedHashMap<>();
  private final Map<String, PluginReport> reportsByFile = new LinkedHashMap<>();
  private final List<PluginReport> classpathReports = new ArrayList<>();
  private final Set<String> unloading = new LinkedHashSet<>();
  private final List<Consumer<String>> unloadListeners = new CopyOnWriteArrayList<>();
  private List<Path> roots = List.of();
  private Set<String> allowedDigests = Set.of();
  private @Nullable Path staging;
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

  /** Called with a plugin id after that plugin is unloaded (to drop caches of its objects). */
  public void onUnload(Consumer<String> listener) {
    unloadListeners.add(listener);
  }

  /**
   * Loads and starts every plugin JAR in {@code pluginRoots}, then registers class-path backends. A
   * second call does nothing.
   */
  public synchronized void start(List<Path> pluginRoots) {
    start(pluginRoots, Set.of());
  }

  /**
   * As {@link #start(List)}, loading only JARs whose SHA-256 is in {@code allowedDigests} (an empty
   * set allows every JAR): an enterprise bundle pins exactly the plugins it approved.
   */
  public synchronized void start(List<Path> pluginRoots, Set<String> allowedDigests) {
    if (manager != null) {
      return;
    }
    this.roots = List.copyOf(pluginRoots);
    this.allowedDigests = Set.copyOf(allowedDigests);
    try {
      staging = Files.createTempDirectory("tracelet-plugins-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a staging folder for plugins", e);
    }
    TraceletPluginManager m = new TraceletPluginManager(roots, systemVersion);
    manager = m;
    for (Path jar : jarsIn(roots)) {
      loadJar(jar);
    }
    registerClasspathBackends(m);
  }

  /** Every {@code *.jar} directly in the given folders, by folder order then name. */
  public static List<Path> jarsIn(List<Path> folders) {
    List<Path> jars = new ArrayList<>();
    for (Path root : folders) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> s = Files.list(root)) {
        s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jar"))
            .filter(Files::isRegularFile)
            .sorted(Comparator.comparing(p -> p.getFileName().toString()))
            .forEach(p -> jars.add(p.toAbsolutePath().normalize()));
      } catch (IOException e) {
        log.warn("Cannot list plugin folder {}: {}", root, e.toString());
      }
    }
    return jars;
  }

  /** The JARs loaded or refused, by their original paths. */
  public synchronized Set<Path> knownJars() {
    Set<Path> out = new LinkedHashSet<>();
    for (String f : reportsByFile.keySet()) {
      out.add(Path.of(f));
    }
    return out;
  }

  /** Loads, starts and registers one plugin JAR from a plugins folder. */
  public synchronized LoadResult loadJar(Path jar) {
    TraceletPluginManager m = m();
    Path original = jar.toAbsolutePath().normalize();
    Path staged;
    try {
      staged = stage(original);
    } catch (IOException e) {
      return refuse(original, "cannot be copied for loading: " + e.getMessage());
    }
    if (!allowedDigests.isEmpty()) {
      String digest;
      try {
        digest = dev.tracelet.api.artifact.TraceletArtifact.sha256(staged);
      } catch (IOException e) {
        deleteQuietly(staged);
        return refuse(original, "cannot be read to check its digest: " + e.getMessage());
      }
      if (!allowedDigests.contains(digest)) {
        deleteQuietly(staged);
        return refuse(
            original,
            "its SHA-256 "
                + digest
                + " is not in plugins_allowed_sha256; add the digest to allow it, or remove the"
                + " JAR");
      }
    }
    try {
      // Opened only to tell a damaged file from a bad plugin: PF4J reports both alike.
      new ZipFile(staged.toFile()).close();
    } catch (IOException e) {
      deleteQuietly(staged);
      return refuse(
          original,
          "is not a readable plugin JAR ("
              + e.getMessage()
              + "); replace it with a complete copy or remove it");
    }
    String id;
    try {
      id = m.loadPlugin(staged);
    } catch (PluginAlreadyLoadedException e) {
      deleteQuietly(staged);
      if (unloading.contains(e.getPluginId())) {
        return LoadResult.RETRY;
      }
      Path other = stagedById.containsKey(e.getPluginId()) ? originalOf(e.getPluginId()) : null;
      return refuse(
          original,
          "plugin id '" + e.getPluginId() + "' is already loaded from " + other + "; remove one");
    } catch (RuntimeException | LinkageError e) {
      deleteQuietly(staged);
      // The user knows their JAR, not the staging copy PF4J was given.
      return refuse(original, Failures.describe(e).replace(staged.toString(), original.toString()));
    }
    pluginIdByJar.put(original, id);
    stagedById.put(id, staged);
    PluginWrapper w = m.getPlugin(id);
    if (w.getPluginState() != PluginState.DISABLED) {
      m.startPlugin(id);
    }
    PluginReport report = register(m, w, original);
    reportsByFile.put(key(original), report);
    return report.usable() ? LoadResult.LOADED : LoadResult.REFUSED;
  }

  private LoadResult refuse(Path jar, String why) {
    log.warn("Skipping plugin {}: {}", jar, why);
    reportsByFile.put(
        key(jar),
        new PluginReport(
            jar.getFileName().toString(),
            "",
            "unknown",
            why.contains("plugins_allowed_sha256") ? "REFUSED" : "BROKEN",
            jar.toString(),
            List.of(),
            why));
    return LoadResult.REFUSED;
  }

  /**
   * Forgets a JAR that was removed or replaced: its backends leave the registry now; the plugin is
   * unloaded once its open sessions end ({@link #completeUnloads()}).
   */
  public synchronized void removeJar(Path jar) {
    Path original = jar.toAbsolutePath().normalize();
    reportsByFile.remove(key(original));
    String id = pluginIdByJar.remove(original);
    if (id == null) {
      return;
    }
    registry.removePlugin(id);
    unloading.add(id);
    log.info("Plugin {} removed from {}; unloading once its sessions end", id, original);
    completeUnloads();
  }

  /** Unloads removed plugins whose sessions have all ended; returns the ids unloaded. */
  public synchronized List<String> completeUnloads() {
    TraceletPluginManager m = manager;
    List<String> done = new ArrayList<>();
    if (m == null) {
      return done;
    }
    for (String id : List.copyOf(unloading)) {
      if (registry.openSessions(id) > 0) {
        continue;
      }
      try {
        if (m.getPlugin(id) != null) {
          m.stopPlugin(id);
          m.unloadPlugin(id);
        }
      } catch (RuntimeException e) {
        log.warn("Unloading plugin {} failed: {}", id, Failures.describe(e));
      }
      Path staged = stagedById.remove(id);
      if (staged != null) {
        deleteQuietly(staged);
      }
      unloading.remove(id);
      done.add(id);
      for (Consumer<String> l : unloadListeners) {
        l.accept(id);
      }
      log.info("Plugin {} unloaded", id);
    }
    return done;
  }

  /** Plugins removed from the folder whose sessions are still open. */
  public synchronized Set<String> unloadingPlugins() {
    return Set.copyOf(unloading);
  }

  private PluginReport register(TraceletPluginManager m, PluginWrapper w, Path original) {
    PluginDescriptor d = w.getDescriptor();
    String file = original.toString();
    String state = w.getPluginState().toString();
    if (w.getPluginState() != PluginState.STARTED) {
      String why = notStartedReason(m, w);
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
          "backend",
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
      classpathReports.add(
          new PluginReport(
              "classpath", "", "backend", "FAILED", "classpath", List.of(), Failures.describe(e)));
      return;
    }
    for (BackendPlugin plugin : found) {
      PluginMetadata meta;
      try {
        meta = plugin.metadata();
      } catch (RuntimeException | LinkageError e) {
        classpathReports.add(
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
        classpathReports.add(
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
      classpathReports.add(
          new PluginReport(
              "classpath",
              meta.version(),
              meta.type().name().toLowerCase(Locale.ROOT),
              "STARTED",
              "classpath",
              List.of(meta.name()),
              null));
    }
  }

  private String notStartedReason(TraceletPluginManager m, PluginWrapper w) {
    PluginDescriptor d = w.getDescriptor();
    Throwable failed = w.getFailedException();
    String requires = d.getRequires();
    if (w.getPluginState() == PluginState.DISABLED
        && requires != null
        && !requires.isBlank()
        && !"*".equals(requires.trim())
        && !m.getVersionManager().checkVersionConstraint(systemVersion, requires)) {
      return "requires Tracelet "
          + requires
          + " but this is Tracelet "
          + systemVersion
          + "; install a version of the plugin built for Tracelet "
          + systemVersion
          + " or upgrade Tracelet";
    }
    if (failed instanceof TraceletPluginManager.PluginClassException) {
      return Failures.describe(failed);
    }
    if (failed != null) {
      return "its Plugin-Class "
          + d.getPluginClass()
          + " failed in start(): "
          + Failures.describe(failed)
          + "; fix the plugin or remove its JAR";
    }
    if (w.getPluginState() == PluginState.DISABLED) {
      return "disabled (listed in disabled.txt, or missing from enabled.txt, in the plugins folder)";
    }
    return "not started (state " + w.getPluginState() + ")";
  }

  private Path stage(Path original) throws IOException {
    Path dir = staging;
    if (dir == null) {
      throw new IllegalStateException("plugin host not started");
    }
    // A unique name per load: a replaced JAR's new copy never collides with the old one.
    Path staged = Files.createTempFile(dir, "plugin-", ".jar");
    Files.copy(original, staged, StandardCopyOption.REPLACE_EXISTING);
    return staged;
  }

  private @Nullable Path originalOf(String pluginId) {
    for (Map.Entry<Path, String> e : pluginIdByJar.entrySet()) {
      if (e.getValue().equals(pluginId)) {
        return e.getKey();
      }
    }
    return null;
  }

  private static String key(Path jar) {
    return jar.toAbsolutePath().normalize().toString();
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // A staged copy is in a temporary folder; the OS reclaims it.
    }
  }

  private TraceletPluginManager m() {
    TraceletPluginManager m = manager;
    if (m == null) {
      throw new IllegalStateException("plugin host not started");
    }
    return m;
  }

  /** What became of every plugin JAR and class-path backend. */
  public synchronized List<PluginReport> reports() {
    List<PluginReport> all = new ArrayList<>(reportsByFile.values());
    all.addAll(classpathReports);
    return List.copyOf(all);
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
      // unloadPlugins() stops each plugin first; PF4J 3.15's stopPlugins() would throw a
      // ConcurrentModificationException while iterating the list it removes from.
      m.unloadPlugins();
    } catch (RuntimeException e) {
      log.warn("Error while unloading plugins: {}", Failures.describe(e));
    }
    Path dir = staging;
    if (dir != null) {
      stagedById.values().forEach(PluginHost::deleteQuietly);
      deleteQuietly(dir);
    }
    manager = null;
  }
}
