package dev.tracelet.plugin.local;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stores this plugin has open, one per folder, shared by every session and reader in the
 * process. Static on purpose: PF4J creates a new extension instance on every lookup, but this map
 * lives in the plugin's class loader and {@link LocalPlugin#stop()} closes it, so unloading the
 * plugin leaves no open database handle behind.
 */
final class OpenStores {
  private static final Map<Path, LocalStore> STORES = new ConcurrentHashMap<>();

  private OpenStores() {}

  /** The open store at {@code settings.dir()}; opened now if it is not yet. */
  static LocalStore get(LocalSettings settings, System.Logger logger) {
    return STORES.computeIfAbsent(settings.dir(), d -> LocalStore.open(settings, logger));
  }

  /** Closes every store; sessions still open keep their own connections until they close. */
  static void closeAll() {
    for (Path dir : STORES.keySet()) {
      LocalStore s = STORES.remove(dir);
      if (s != null) {
        s.close();
      }
    }
  }
}
