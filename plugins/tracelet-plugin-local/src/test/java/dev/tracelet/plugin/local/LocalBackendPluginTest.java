package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.PluginType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.Extension;

class LocalBackendPluginTest {
  @TempDir Path temp;

  @AfterEach
  void closeStores() {
    OpenStores.closeAll();
  }

  @Test
  void isTheLocalBackendExtension() {
    LocalBackendPlugin plugin = new LocalBackendPlugin();
    assertThat(plugin.metadata().name()).isEqualTo("local");
    assertThat(plugin.metadata().type()).isEqualTo(PluginType.BACKEND);
    assertThat(LocalBackendPlugin.class.getAnnotation(Extension.class)).isNotNull();
    assertThat(plugin.configKeys())
        .extracting(ConfigKey::name, ConfigKey::defaultValue)
        .contains(
            org.assertj.core.groups.Tuple.tuple("dir", "tracelet-runs"),
            org.assertj.core.groups.Tuple.tuple("busy_timeout_ms", "30000"));
  }

  @Test
  void theExtensionIndexNamesTheBackend() throws Exception {
    StringBuilder all = new StringBuilder();
    var indexes = getClass().getClassLoader().getResources("META-INF/extensions.idx");
    while (indexes.hasMoreElements()) {
      try (var in = indexes.nextElement().openStream()) {
        all.append(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    assertThat(all.toString()).contains(LocalBackendPlugin.class.getName());
  }

  @Test
  void sessionsAndStoreShareOneStorePerFolder() {
    TestContext ctx = TestContext.of(temp.resolve("s"), "p");
    LocalBackendPlugin plugin = new LocalBackendPlugin();
    BackendSession session = plugin.open(ctx);
    assertThat(session.store()).containsSame(plugin.openStore(ctx).orElseThrow());
    session.close(RunStatus.FINISHED);
    assertThat(Files.exists(temp.resolve("s").resolve("tracelet.db"))).isTrue();
  }

  @Test
  void badSettingsNameTheKeyAndTheAcceptedForm() {
    assertThatThrownBy(() -> LocalSettings.from(Map.of("busy_timeout_ms", "soon")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("local.busy_timeout_ms")
        .hasMessageContaining("soon")
        .hasMessageContaining("whole number");
    assertThat(LocalSettings.from(Map.of()).dir())
        .isEqualTo(Path.of("tracelet-runs").toAbsolutePath().normalize());
  }

  @Test
  void stoppingThePluginClosesItsStores() {
    TestContext ctx = TestContext.of(temp.resolve("s"), "p");
    var store = new LocalBackendPlugin().openStore(ctx).orElseThrow();
    new LocalPlugin().stop();
    assertThatThrownBy(store::listExperiments).isInstanceOf(IllegalStateException.class);
    assertThat(new LocalBackendPlugin().openStore(ctx).orElseThrow().listExperiments()).isEmpty();
  }
}
