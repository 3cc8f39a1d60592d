package dev.tracelet.plugin.clearml;

import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import org.pf4j.Extension;

/**
 * The {@code clearml} backend. Each run becomes a ClearML task of type {@code training}; parameters
 * and tags become hyperparameters, metrics become scalar plots, artifacts are uploaded to the file
 * server and registered on the task. There is no read side ({@code Tracelet.store("clearml")} is
 * empty). Settings are listed by {@link #configKeys()} and documented in {@code docs/clearml.md};
 * the vendor's own variables ({@code CLEARML_API_HOST}, {@code CLEARML_API_ACCESS_KEY}, …) work as
 * they do for ClearML's SDK.
 *
 * <p>Thread-safe: {@link #open} may be called concurrently for different runs; sessions share
 * nothing.
 */
@Extension
public final class ClearmlBackendPlugin implements BackendPlugin {
  /** The name users select this backend by. */
  public static final String NAME = "clearml";

  private static final String VERSION = readVersion();

  /** The constructor PF4J calls. */
  public ClearmlBackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    return new PluginMetadata(
        NAME,
        VERSION,
        "ClearML server over REST: tasks, hyperparameters, scalar plots and artifacts",
        PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return ClearmlConfig.KEYS;
  }

  /**
   * Logs in, finds or creates the project and creates and starts the task.
   *
   * @throws dev.tracelet.api.ConfigurationException when a setting is missing or malformed
   * @throws dev.tracelet.api.BackendException when ClearML cannot be reached or refuses
   */
  @Override
  public BackendSession open(BackendContext context) {
    return ClearmlSession.open(
        ClearmlConfig.from(context.config()), context, SessionEnvironment.system());
  }

  static String version() {
    return VERSION;
  }

  private static String readVersion() {
    Properties p = new Properties();
    try (InputStream in =
        ClearmlBackendPlugin.class.getResourceAsStream("plugin-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // A missing version is cosmetic; "dev" says so.
    }
    String v = p.getProperty("version", "dev");
    return v.isBlank() || v.startsWith("${") ? "dev" : v;
  }
}
