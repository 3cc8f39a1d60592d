package dev.tracelet.core.runtime;

import dev.tracelet.api.TraceletVersion;
import dev.tracelet.api.plugin.PluginContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Builds the context a backend's read side is opened with. */
public final class StoreContexts {
  private StoreContexts() {}

  public static PluginContext of(String backend, Map<String, String> config) {
    Path scratch;
    try {
      scratch = Files.createTempDirectory("tracelet-store-" + backend + "-");
      scratch.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a scratch directory for backend " + backend, e);
    }
    return new StoreContext(
        config,
        System.getLogger("dev.tracelet.backend." + backend),
        scratch,
        TraceletVersion.apiVersion());
  }
}
