package dev.tracelet.plugin.wandb;

import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import java.util.List;
import org.pf4j.Extension;

/**
 * The {@code wandb} backend: each Tracelet run becomes a Weights &amp; Biases run. Runs are created
 * and updated with GraphQL {@code UpsertBucket} (parameters and key/value tags in the run config),
 * metrics go to the run's file stream as one history row per step with the summary kept current,
 * captured console output goes to {@code output.log}, and artifacts are uploaded with MD5 digests,
 * skipping content W&amp;B already has. With {@code mode=offline} nothing touches the network and
 * the run is kept in a local journal for a later sync. Settings are listed by {@link #configKeys()}
 * and documented in {@code docs/wandb.md}. There is no read side.
 */
@Extension
public final class WandbBackendPlugin implements BackendPlugin {
  /** The name users select this backend by. */
  public static final String NAME = "wandb";

  public WandbBackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    String version = WandbBackendPlugin.class.getPackage().getImplementationVersion();
    return new PluginMetadata(
        NAME,
        version == null ? "dev" : version,
        "Weights & Biases over GraphQL and the file stream: history, summary, console, artifacts,"
            + " offline mode",
        PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return WandbConfig.KEYS;
  }

  @Override
  public BackendSession open(BackendContext context) {
    return WandbSession.open(WandbConfig.from(context.config()), context);
  }
}
