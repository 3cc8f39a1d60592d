package ${package};

import dev.tracelet.api.BackendException;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * The {@code ${backendName}} backend. PF4J finds it through {@code META-INF/extensions.idx}, which
 * the {@link Extension} annotation makes the compiler write; it needs a public no-argument
 * constructor.
 *
 * <p>As generated, it stores each run in a folder ({@code ${backendName}.dir}): one tab-separated
 * file per run. Replace {@link ${classPrefix}Session} with calls to your service, keep the kit
 * test passing, and declare every setting you read in {@link #configKeys()}.
 */
@Extension
public final class ${classPrefix}BackendPlugin implements BackendPlugin {
  static final String NAME = "${backendName}";

  /** Run ids become file names here: nothing that could leave the folder. */
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              "dir", "folder the runs are stored in", "tracelet-${backendName}", false, List.of()));

  /** For PF4J. */
  public ${classPrefix}BackendPlugin() {}

  @Override
  public PluginMetadata metadata() {
    String version = ${classPrefix}BackendPlugin.class.getPackage().getImplementationVersion();
    return new PluginMetadata(
        NAME,
        version == null ? "dev" : version,
        "the ${backendName} backend",
        PluginType.BACKEND);
  }

  @Override
  public List<ConfigKey> configKeys() {
    return KEYS;
  }

  @Override
  public BackendSession open(BackendContext context) {
    if (!RUN_ID.matcher(context.runId()).matches()) {
      throw new BackendException(NAME, "run id '" + context.runId() + "' cannot name a file");
    }
    Path dir =
        Path.of(context.config().getOrDefault("dir", "tracelet-${backendName}")).toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      // Unreachable for now: thrown, so the host retries the open.
      throw new BackendException(NAME, "cannot create " + dir + ": " + e, e);
    }
    return ${classPrefix}Session.open(context, dir.resolve(context.runId() + ".tsv"));
  }
}
