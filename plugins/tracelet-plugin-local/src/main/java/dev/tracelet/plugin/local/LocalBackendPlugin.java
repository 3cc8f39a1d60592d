package dev.tracelet.plugin.local;

import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginContext;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.store.RunStore;
import java.util.List;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * The {@code local} backend: an embedded SQLite store under {@code local.dir} (default {@code
 * tracelet-runs}, environment {@code TRACELET_LOCAL_DIR}), needing no server.
 *
 * <p>Guarantees: every batch is stored whole or not at all; several threads and processes may write
 * one store at once without losing anything; a process killed mid-run loses at most its unflushed
 * batch, leaves a consistent database, and its run reads as KILLED; run ids, experiment ids and
 * model versions are never reused; no name can place a file outside the store.
 */
@Extension
public final class LocalBackendPlugin implements BackendPlugin {
  /** The backend's name in settings: {@code backend: local}. */
  public static final String NAME = "local";

  private static final PluginMetadata METADATA =
      new PluginMetadata(
          NAME,
          version(),
          "Embedded SQLite store with metric history, artifacts and a model registry",
          PluginType.BACKEND);

  /** For PF4J, which creates extensions with their no-argument constructor. */
  public LocalBackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    return METADATA;
  }

  @Override
  public List<ConfigKey> configKeys() {
    return List.of(
        new ConfigKey(
            LocalSettings.DIR,
            "Folder of the local store (database, artifacts, registry)",
            LocalSettings.DEFAULT_DIR,
            false,
            List.of()),
        new ConfigKey(
            LocalSettings.BUSY_TIMEOUT_MS,
            "How long a write waits for another process holding the store's lock, in ms",
            LocalSettings.DEFAULT_BUSY_TIMEOUT_MS,
            false,
            List.of()),
        new ConfigKey(
            LocalSettings.CODE_SNAPSHOT_MAX_BYTES,
            "Largest uncommitted git diff kept as a run's code snapshot, in bytes",
            LocalSettings.DEFAULT_CODE_SNAPSHOT_MAX_BYTES,
            false,
            List.of()));
  }

  @Override
  public BackendSession open(BackendContext context) {
    LocalStore store = OpenStores.get(LocalSettings.from(context.config()), context.logger());
    return LocalSession.open(store, context);
  }

  @Override
  public Optional<RunStore> openStore(PluginContext context) {
    return Optional.of(
        OpenStores.get(LocalSettings.from(context.config()), context.logger()).runStore());
  }

  private static String version() {
    String v = LocalBackendPlugin.class.getPackage().getImplementationVersion();
    return v == null ? "0.0.0-dev" : v;
  }
}
