package dev.tracelet.plugin.mlflow;

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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * The {@code mlflow} backend. Each run becomes an MLflow run in the experiment named by the
 * project; metrics, parameters and tags go out through batched {@code runs/log-batch} requests,
 * artifacts through the server's {@code mlflow-artifacts} proxy; {@code Tracelet.store("mlflow")}
 * reads runs, metric histories and the model registry back. Settings are listed by {@link
 * #configKeys()} and documented in {@code docs/mlflow.md}.
 */
@Extension
public final class MlflowBackendPlugin implements BackendPlugin {
  /** The name users select this backend by. */
  public static final String NAME = "mlflow";

  /**
   * Clients of stores opened by {@link #openStore}: RunStore has no close, the plugin's stop does
   * it.
   */
  private static final Set<MlflowApi> STORE_CLIENTS = ConcurrentHashMap.newKeySet();

  public MlflowBackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    return new PluginMetadata(
        NAME,
        MlflowBackendPlugin.class.getPackage().getImplementationVersion() == null
            ? "dev"
            : MlflowBackendPlugin.class.getPackage().getImplementationVersion(),
        "MLflow tracking server over REST: batched logging, artifacts, runs and model registry",
        PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return MlflowConfig.KEYS;
  }

  @Override
  public BackendSession open(BackendContext context) {
    MlflowConfig config = MlflowConfig.from(context.config());
    String shortId =
        context.runId().length() > 8 ? context.runId().substring(0, 8) : context.runId();
    MlflowApi api = MlflowApi.open(config, context.logger(), "tracelet-mlflow-" + shortId);
    return MlflowSession.open(config, api, context);
  }

  @Override
  public Optional<RunStore> openStore(PluginContext context) {
    MlflowConfig config = MlflowConfig.from(context.config());
    MlflowApi api = MlflowApi.open(config, context.logger(), "tracelet-mlflow-store");
    STORE_CLIENTS.add(api);
    return Optional.of(
        new MlflowRunStore(
            new MlflowTracking(api), config, context.scratchDir(), context.logger()));
  }

  /** Closes the HTTP clients of every store this plugin opened; called when the plugin stops. */
  static void closeStores() {
    for (MlflowApi api : STORE_CLIENTS) {
      api.close();
      STORE_CLIENTS.remove(api);
    }
  }
}
