package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.ConfigKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClearmlConfigTest {
  private static Map<String, String> minimal() {
    Map<String, String> c = new HashMap<>();
    c.put("api_host", "http://localhost:8008");
    c.put("access_key", "ACCESS123");
    c.put("secret_key", "very-secret-value");
    return c;
  }

  @Test
  void defaultsFollowTheSdk() {
    ClearmlConfig c = ClearmlConfig.from(minimal());
    assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.maxRetries()).isEqualTo(5);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(300));
    assertThat(c.maxRequestBytes()).isEqualTo(15 * 1024 * 1024);
    assertThat(c.verifyCert()).isTrue();
    assertThat(c.hosts().files()).isEqualTo("http://localhost:8081");
    assertThat(c.project()).isNull();
  }

  @Test
  void everyDeclaredKeyIsUnderstoodAndSecretsAreMarked() {
    Map<String, ConfigKey> keys = new HashMap<>();
    ClearmlConfig.KEYS.forEach(k -> keys.put(k.name(), k));
    assertThat(keys.get("access_key").secret()).isTrue();
    assertThat(keys.get("secret_key").secret()).isTrue();
    assertThat(keys.get("auth_token").secret()).isTrue();
    assertThat(keys.get("api_host").envVars()).startsWith("CLEARML_API_HOST");
    assertThat(keys.get("web_host").envVars()).startsWith("CLEARML_WEB_HOST");
    assertThat(keys.get("files_host").envVars()).startsWith("CLEARML_FILES_HOST");
    assertThat(keys.get("access_key").envVars()).startsWith("CLEARML_API_ACCESS_KEY");
    assertThat(keys.get("secret_key").envVars()).startsWith("CLEARML_API_SECRET_KEY");
    // Every declared default parses.
    Map<String, String> withDefaults = minimal();
    ClearmlConfig.KEYS.forEach(
        k -> {
          if (k.defaultValue() != null) {
            withDefaults.put(k.name(), k.defaultValue());
          }
        });
    assertThat(ClearmlConfig.from(withDefaults).pingInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void withoutCredentialsTheMessageSaysWhereToGetThem() {
    Map<String, String> c = minimal();
    c.remove("access_key");
    c.remove("secret_key");
    assertThatThrownBy(() -> ClearmlConfig.from(c))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("CLEARML_API_ACCESS_KEY")
        .hasMessageContaining("Create new credentials");
  }

  @Test
  void aTokenAloneIsEnough() {
    Map<String, String> c = minimal();
    c.remove("access_key");
    c.remove("secret_key");
    c.put("auth_token", "pre-issued");
    assertThat(ClearmlConfig.from(c).authToken()).isEqualTo("pre-issued");
  }

  @Test
  void halfAKeyPairIsRefused() {
    Map<String, String> c = minimal();
    c.remove("secret_key");
    assertThatThrownBy(() -> ClearmlConfig.from(c))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clearml.secret_key is not set")
        .hasMessageNotContaining("ACCESS123");
  }

  @Test
  void badNumbersNameTheKeyTheValueAndTheRange() {
    Map<String, String> c = minimal();
    c.put("max_request_bytes", "100");
    assertThatThrownBy(() -> ClearmlConfig.from(c))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clearml.max_request_bytes = '100'")
        .hasMessageContaining("from 4096 to 15728640");
    c.put("max_request_bytes", "4096");
    c.put("ping_interval_seconds", "often");
    assertThatThrownBy(() -> ClearmlConfig.from(c))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("clearml.ping_interval_seconds = 'often'");
    c.put("ping_interval_seconds", "0");
    c.put("verify_cert", "maybe");
    assertThatThrownBy(() -> ClearmlConfig.from(c))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("expected true or false");
  }

  @Test
  void toStringShowsNoSecret() {
    Map<String, String> c = minimal();
    c.put("auth_token", "token-value-42");
    String text = ClearmlConfig.from(c).toString();
    assertThat(text)
        .doesNotContain("ACCESS123")
        .doesNotContain("very-secret-value")
        .doesNotContain("token-value-42")
        .contains("localhost:8008");
  }
}
