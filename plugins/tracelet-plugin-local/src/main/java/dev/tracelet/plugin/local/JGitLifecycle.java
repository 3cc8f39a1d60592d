package dev.tracelet.plugin.local;

import java.lang.reflect.Method;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.internal.util.CleanupService;
import org.eclipse.jgit.util.FS;
import org.jspecify.annotations.Nullable;

/**
 * Keeps JGit unloadable with the plugin. Left alone, JGit registers a JVM shutdown hook and starts
 * a thread pool on first use; both hold the plugin's class loader after PF4J unloads it. So before
 * the first JGit call this creates JGit's {@link CleanupService} in its OSGi mode (JGit then
 * collects its cleanup there instead of in a shutdown hook) and switches off the background
 * file-store probing; {@link #shutdown()}, called when the plugin stops, runs that cleanup.
 *
 * <p>{@code CleanupService} is JGit-internal: if a JGit upgrade changes it, this degrades to JGit's
 * default behaviour (a leak on unload, nothing worse) rather than failing a run.
 */
final class JGitLifecycle {
  private static @Nullable CleanupService service;
  private static boolean used;

  private JGitLifecycle() {}

  /** Call before any JGit use; cheap after the first call. */
  static synchronized void beforeFirstUse() {
    if (used) {
      return;
    }
    used = true;
    try {
      service = new CleanupService();
    } catch (Throwable e) { // AssertionError if JGit already created its own instance
      service = null;
    }
    try {
      FS.FileStoreAttributes.setBackground(false);
    } catch (Throwable ignored) {
      // Older or newer JGit without this switch: it then probes in the background.
    }
  }

  /** Releases JGit's threads, caches and cleanup hooks; only if JGit was used. */
  static synchronized void shutdown() {
    if (!used) {
      return;
    }
    used = false;
    CleanupService s = service;
    service = null;
    if (s != null) {
      try {
        Method shutDown = CleanupService.class.getDeclaredMethod("shutDown");
        shutDown.setAccessible(true);
        shutDown.invoke(s);
      } catch (ReflectiveOperationException | RuntimeException ignored) {
        // See the class comment: best effort.
      }
    }
    try {
      Git.shutdown();
    } catch (RuntimeException ignored) {
      // Best effort, as above.
    }
  }
}
