package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.ConfigKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowConfigTest {
  @TempDir Path home;

  @Test
  void declaresTheVendorVariablesAndMarksSecrets() {
    Map<String, ConfigKey> keys = new java.util.HashMap<>();
    MlflowConfig.KEYS.forEach(k -> keys.put(k.name(), k));
    assertThat(keys.get("tracking_uri").envVars()).containsExactly("MLFLOW_TRACKING_URI");
    assertThat(keys.get("password").secret()).isTrue();
    assertThat(keys.get("token").secret()).isTrue();
    assertThat(keys.get("username").secret()).isFalse();
    assertThat(keys.get("run_id").envVars()).containsExactly("MLFLOW_RUN_ID");
    assertThat(keys)
        .containsKeys(
            "insecure_tls",
            "server_cert_path",
            "client_cert_path",
            "max_retries",
            "request_timeout");
  }

  @Test
  void readsRetryAndTimeoutSettings() {
    MlflowConfig c =
        MlflowConfig.from(
            Map.of(
                "tracking_uri",
                "https://mlflow.example:8443/prefix",
                "max_retries",
                "3",
                "backoff_factor",
                "0.5",
                "request_timeout",
                "30",
                "respect_retry_after",
                "false"),
            home);
    assertThat(c.trackingUri.toString()).isEqualTo("https://mlflow.example:8443/prefix");
    assertThat(c.retry.maxRetries()).isEqualTo(3);
    assertThat(c.retry.initialBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.retry.respectRetryAfter()).isFalse();
    assertThat(c.requestTimeout).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.auth.kind()).isEqualTo("none");
  }

  @Test
  void readsTheCredentialsFileWhenVariablesAreMissing() throws Exception {
    Files.createDirectories(home.resolve(".mlflow"));
    Files.writeString(
        home.resolve(".mlflow/credentials"),
        "[other]\nmlflow_tracking_username = nobody\n[mlflow]\nmlflow_tracking_username = alice\nmlflow_tracking_password = pw\n");
    MlflowConfig c = MlflowConfig.from(Map.of("tracking_uri", "http://h:5000"), home);
    assertThat(c.auth.authorizationHeader()).contains("Basic YWxpY2U6cHc=");
    MlflowConfig envWins =
        MlflowConfig.from(Map.of("tracking_uri", "http://h:5000", "username", "bob"), home);
    assertThat(envWins.auth.authorizationHeader()).contains("Basic Ym9iOnB3");
    assertThat(envWins.toString()).doesNotContain("pw", "Ym9iOnB3");
  }

  @Test
  void explainsBadValues() {
    assertThatThrownBy(
            () ->
                MlflowConfig.from(
                    Map.of("tracking_uri", "http://h", "insecure_tls", "maybe"), home))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mlflow.insecure_tls")
        .hasMessageContaining("maybe");
    assertThatThrownBy(
            () -> MlflowConfig.from(Map.of("tracking_uri", "http://h", "max_retries", "-1"), home))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("mlflow.max_retries");
    assertThatThrownBy(() -> MlflowConfig.from(Map.of("tracking_uri", "http://u:p@h"), home))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("must not carry credentials")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("u:p"));
  }
}
