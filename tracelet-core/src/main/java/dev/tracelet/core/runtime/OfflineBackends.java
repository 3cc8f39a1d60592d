package dev.tracelet.core.runtime;

import dev.tracelet.api.TraceletSettings;
import java.util.Locale;
import java.util.Map;

/**
 * Which backends a run keeps offline, in its journal for a later {@code tracelet sync}: every
 * remote backend with {@code mode=offline}, and a backend whose own {@code mode} setting says
 * offline (W&amp;B's {@code WANDB_MODE=offline} or {@code dryrun} is {@code wandb.mode}). The local
 * store is never kept offline: it is where an offline run lives.
 *
 * <p>The core keeps such a backend offline itself, so its run is journaled and synced like any
 * other, instead of each plugin keeping a private offline format that nothing replays.
 */
public final class OfflineBackends {
  private static final String LOCAL = "local";
  private static final String MODE = "mode";

  private OfflineBackends() {}

  /** Whether runs started with these settings keep {@code backend} offline. */
  public static boolean keptOffline(TraceletSettings settings, String backend) {
    if (LOCAL.equals(backend)) {
      return false;
    }
    return settings.offline() || ownModeOffline(settings, backend);
  }

  /**
   * What a sync adds to its start settings so that {@code backend} is reached now although its own
   * {@code mode} still says offline (the variable that kept the run offline is often still set).
   */
  public static Map<String, Object> onlineOverrides(TraceletSettings settings, String backend) {
    return ownModeOffline(settings, backend) ? Map.of(backend + "." + MODE, "online") : Map.of();
  }

  private static boolean ownModeOffline(TraceletSettings settings, String backend) {
    String mode = settings.backendConfig(backend).get(MODE);
    if (mode == null) {
      return false;
    }
    String m = mode.trim().toLowerCase(Locale.ROOT);
    return m.equals("offline") || m.equals("dryrun");
  }
}
