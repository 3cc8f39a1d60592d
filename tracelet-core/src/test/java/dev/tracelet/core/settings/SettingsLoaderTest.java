package dev.tracelet.core.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.plugin.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
  @TempDir Path dir;

  private static final Map<String, List<ConfigKey>> BACKENDS =
      Map.of(
          "local",
          List.of(new ConfigKey("dir", "store folder", "tracelet-runs", false, List.of())),
          "mlflow",
          List.of(
              new ConfigKey("tracking_uri", "server", null, false, List.of("MLFLOW_TRACKING_URI")),
              new ConfigKey(
                  "password", "password", null, true, List.of("MLFLOW_TRACKING_PASSWORD")),
              new ConfigKey("token", "token", null, true, List.of("MLFLOW_TRACKING_TOKEN"))));

  private SettingsLoader loader(Map<String, String> env, Map<String, String> props) {
    return new SettingsLoader(new SettingsSources(env, props, dir, null));
  }

  private TraceletSettings load(
      Map<String, String> env, Map<String, String> props, Map<String, ?> cfg) {
    return loader(env, props).load(BACKENDS, cfg).settings();
  }

  @Test
  void defaultsWhenNothingIsSet() {
    TraceletSettings s = load(Map.of(), Map.of(), Map.of());
    assertThat(s.project()).isEqualTo("default");
    assertThat(s.backends()).containsExactly("local");
    assertThat(s.flushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(s.backendConfig("local")).containsEntry("dir", "tracelet-runs");
  }

  @Test
  void eachSourceOverridesTheOneBelowIt() throws IOException {
    Files.writeString(
        dir.resolve("tracelet.yaml"),
        "project: from-file\ntrack_git: false\nbatch_size: 10\nqueue_memory: 7MB\n");
    TraceletSettings s =
        load(
            Map.of(
                "TRACELET_PROJECT",
                "from-env",
                "TRACELET_BATCH_SIZE",
                "20",
                "TRACELET_QUEUE_MEMORY",
                "8m"),
            Map.of("tracelet.project", "from-props", "tracelet.batch_size", "30"),
            Map.of("project", "from-config"));
    assertThat(s.project()).isEqualTo("from-config");
    assertThat(s.batchSize()).isEqualTo(30);
    assertThat(s.queueMemoryBytes()).isEqualTo(8L << 20);
    assertThat(s.trackGit()).isFalse();
  }

  @Test
  void backendKeysAcceptDottedFlatAndVendorSpellings() throws IOException {
    Files.writeString(dir.resolve("tracelet.yaml"), "mlflow:\n  tracking_uri: http://file:5000\n");
    assertThat(load(Map.of(), Map.of(), Map.of()).backendConfig("mlflow"))
        .containsEntry("tracking_uri", "http://file:5000");
    assertThat(
            load(Map.of("MLFLOW_TRACKING_URI", "http://vendor:5000"), Map.of(), Map.of())
                .backendConfig("mlflow"))
        .containsEntry("tracking_uri", "http://vendor:5000");
    // TRACELET_ spelling wins over the vendor's variable.
    assertThat(
            load(
                    Map.of(
                        "MLFLOW_TRACKING_URI", "http://vendor:5000",
                        "TRACELET_MLFLOW_TRACKING_URI", "http://ours:5000"),
                    Map.of(),
                    Map.of())
                .backendConfig("mlflow"))
        .containsEntry("tracking_uri", "http://ours:5000");
    assertThat(
            load(Map.of(), Map.of(), Map.of("mlflow_tracking_uri", "http://seed:1"))
                .backendConfig("mlflow"))
        .containsEntry("tracking_uri", "http://seed:1");
    assertThat(
            load(Map.of("TRACELET_LOCAL_DIR", "/tmp/x"), Map.of(), Map.of()).backendConfig("local"))
        .containsEntry("dir", "/tmp/x");
  }

  @Test
  void everySourceIsParsedAlike() throws IOException {
    Files.writeString(dir.resolve("tracelet.properties"), "TRACK-GIT=no\nBackend=local,mlflow\n");
    TraceletSettings s = load(Map.of(), Map.of(), Map.of());
    assertThat(s.trackGit()).isFalse();
    assertThat(s.backends()).containsExactly("local", "mlflow");
  }

  @Test
  void listsAndDurationsAcceptTheirForms() {
    TraceletSettings s =
        load(
            Map.of(),
            Map.of(),
            Map.of(
                "backend", List.of("local", "mlflow"),
                "flush_interval", "250ms",
                "metrics_interval", "1.5",
                "shutdown_timeout", "2m"));
    assertThat(s.backends()).containsExactly("local", "mlflow");
    assertThat(s.flushInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(s.metricsInterval()).isEqualTo(Duration.ofMillis(1500));
    assertThat(s.shutdownTimeout()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void unknownKeyNamesKeyValueOriginAndValidKeys() {
    assertThatThrownBy(() -> load(Map.of("TRACELET_TRACK_GITT", "true"), Map.of(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("TRACK_GITT")
        .hasMessageContaining("'true'")
        .hasMessageContaining("environment variable TRACELET_TRACK_GITT")
        .hasMessageContaining("track_git")
        .hasMessageContaining("mlflow");
  }

  @Test
  void unknownBackendKeyListsThatBackendsKeys() {
    assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of("mlflow.trackinguri", "x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mlflow.tracking_uri")
        .hasMessageContaining("startLogging config");
  }

  @Test
  void badValueNamesTheAcceptedForm() {
    assertThatThrownBy(() -> load(Map.of(), Map.of("tracelet.track_git", "maybe"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'track_git' = 'maybe'")
        .hasMessageContaining("system property tracelet.track_git")
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of("flush_interval", "soon")))
        .hasMessageContaining("duration");
    assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of("batch_size", "0")))
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of("mode", "sometimes")))
        .hasMessageContaining("online or offline");
  }

  @Test
  void secretsAreMaskedButReachTheirBackend() {
    TraceletSettings s =
        load(
            Map.of("MLFLOW_TRACKING_PASSWORD", "hunter2", "MLFLOW_TRACKING_TOKEN", "tok-123"),
            Map.of(),
            Map.of());
    assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("tok-123").contains("****");
    assertThat(s.asMap()).containsEntry("mlflow.password", "****");
    assertThat(s.backendConfig("mlflow")).containsEntry("password", "hunter2");
  }

  @Test
  void secretInAnUnknownKeyIsMaskedInTheError() {
    assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of("mlflow.api_key", "s3cret")))
        .hasMessageNotContaining("s3cret")
        .hasMessageContaining("****");
  }

  @Test
  void reservedVariablesAreNotSettings() {
    TraceletSettings s =
        load(
            Map.of(
                "TRACELET_OPTS",
                "-Xmx1g",
                "TRACELET_HOME",
                "/opt/t",
                "TRACELET_IT_MLFLOW_URI",
                "x"),
            Map.of("tracelet.home", "/opt/t"),
            Map.of());
    assertThat(s.project()).isEqualTo("default");
  }

  @Test
  void explicitConfigFileMustExist() {
    assertThatThrownBy(() -> load(Map.of("TRACELET_CONFIG", "nope.yaml"), Map.of(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("nope.yaml");
  }

  @Test
  void brokenYamlNamesTheFile() throws IOException {
    Files.writeString(dir.resolve("tracelet.yaml"), "project: [unclosed\n");
    assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("tracelet.yaml");
  }

  @Test
  void distributionConfIsReadLast() throws IOException {
    Path home = Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(home.resolve("conf/tracelet.yaml"), "project: from-home\n");
    Path work = Files.createDirectories(dir.resolve("work"));
    SettingsLoader l = new SettingsLoader(new SettingsSources(Map.of(), Map.of(), work, home));
    assertThat(l.load(BACKENDS, Map.of()).settings().project()).isEqualTo("from-home");
    Files.writeString(work.resolve("tracelet.yaml"), "project: from-work\n");
    assertThat(l.load(BACKENDS, Map.of()).settings().project()).isEqualTo("from-work");
  }

  @Test
  void pluginRootsDefaultToHomeThenWorkingDirectory() {
    Path home = dir.resolve("home");
    SettingsLoader l = new SettingsLoader(new SettingsSources(Map.of(), Map.of(), dir, home));
    assertThat(l.pluginRoots()).containsExactly(home.resolve("plugins"), dir.resolve("plugins"));
    SettingsLoader custom =
        new SettingsLoader(
            new SettingsSources(Map.of("TRACELET_PLUGINS_DIR", "a,b"), Map.of(), dir, home));
    assertThat(custom.pluginRoots()).containsExactly(dir.resolve("a"), dir.resolve("b"));
  }

  @Test
  void originsSayWhereEachKeyCameFromWithoutValues() {
    ResolvedSettings r =
        loader(Map.of("MLFLOW_TRACKING_PASSWORD", "hunter2"), Map.of()).load(BACKENDS, Map.of());
    assertThat(r.origins())
        .containsEntry("mlflow.password", "environment variable MLFLOW_TRACKING_PASSWORD");
    assertThat(r.origins().toString()).doesNotContain("hunter2");
  }
}
