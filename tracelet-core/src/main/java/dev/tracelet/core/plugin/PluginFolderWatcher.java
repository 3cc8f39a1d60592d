package dev.tracelet.core.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the plugin folders and keeps the host in step with them: a JAR dropped in is loaded once
 * its size and modification time hold still for one poll (so a half-copied file is never loaded); a
 * removed JAR is unloaded once its sessions end; a replaced JAR is unloaded and its new version
 * loaded the same way. Polling rather than a {@code WatchService}: it behaves the same on every
 * file system, including network mounts that report no events, and costs one directory listing per
 * interval.
 */
public final class PluginFolderWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginFolderWatcher.class);

  private final PluginHost host;
  private final long intervalNanos;
  private final Thread thread;
  private final Map<Path, Stamp> lastSeen = new HashMap<>();
  private final Map<Path, Stamp> loaded = new HashMap<>();
  private volatile boolean running = true;

  private record Stamp(long size, long modified) {}

  public PluginFolderWatcher(PluginHost host, Duration interval) {
    this.host = host;
    this.intervalNanos = interval.toNanos();
    for (Path jar : host.knownJars()) {
      Stamp s = stamp(jar);
      if (s != null) {
        loaded.put(jar, s);
        lastSeen.put(jar, s);
      }
    }
    this.thread = new Thread(this::run, "tracelet-plugin-watcher");
    this.thread.setDaemon(true);
  }

  public PluginFolderWatcher start() {
    thread.start();
    return this;
  }

  private void run() {
    while (running) {
      try {
        poll();
      } catch (RuntimeException | LinkageError e) {
        log.warn("Plugin folder check failed: {}", Failures.describe(e));
      }
      LockSupport.parkNanos(this, intervalNanos);
    }
  }

  /** One pass over the folders; package-visible so tests can drive it deterministically. */
  void poll() {
    List<Path> jars = PluginHost.jarsIn(host.roots());
    Map<Path, Stamp> now = new HashMap<>();
    for (Path jar : jars) {
      Stamp s = stamp(jar);
      if (s != null) {
        now.put(jar, s);
      }
    }
    for (Path gone : List.copyOf(loaded.keySet())) {
      if (!now.containsKey(gone)) {
        loaded.remove(gone);
        host.removeJar(gone);
      }
    }
    for (Map.Entry<Path, Stamp> e : now.entrySet()) {
      Path jar = e.getKey();
      Stamp s = e.getValue();
      boolean stable = s.equals(lastSeen.get(jar));
      Stamp had = loaded.get(jar);
      if (had != null && !had.equals(s) && stable) {
        // Replaced: unload the old version; the new one loads on a later pass.
        loaded.remove(jar);
        host.removeJar(jar);
      } else if (had == null && stable) {
        PluginHost.LoadResult r = host.loadJar(jar);
        if (r != PluginHost.LoadResult.RETRY) {
          loaded.put(jar, s);
        }
      }
    }
    host.completeUnloads();
    lastSeen.clear();
    lastSeen.putAll(now);
  }

  private static Stamp stamp(Path jar) {
    try {
      return new Stamp(Files.size(jar), Files.getLastModifiedTime(jar).toMillis());
    } catch (IOException e) {
      return null;
    }
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
  }

  @Override
  public String toString() {
    return "PluginFolderWatcher" + Objects.toString(host.roots());
  }
}
