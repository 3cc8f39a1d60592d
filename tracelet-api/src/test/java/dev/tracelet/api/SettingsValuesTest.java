package dev.tracelet.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsValuesTest {
  @Test
  void secretsAreMaskedEverywhereButTheirBackendsConfig() {
    TraceletSettings s =
        TraceletSettings.builder()
            .backendValue("wandb", "api_key", "k-123")
            .backendValue("custom", "endpoint", "http://x")
            .backendValue("custom", "cred", "c-456")
            .secretKey("custom.cred")
            .build();
    assertThat(s.toString()).doesNotContain("k-123").doesNotContain("c-456");
    assertThat(s.asMap())
        .containsEntry("wandb.api_key", "****")
        .containsEntry("custom.cred", "****");
    assertThat(s.asMap()).containsEntry("custom.endpoint", "http://x");
    assertThat(s.backendConfig("wandb")).isEqualTo(Map.of("api_key", "k-123"));
  }

  @Test
  void settingsMapOntoTheExperimentConfig() {
    TraceletSettings s = TraceletSettings.builder().trackGit(false).trackEnv(false).build();
    ExperimentConfig c = s.experimentConfig();
    assertThat(c.trackGit()).isFalse();
    assertThat(c.trackEnvironment()).isFalse();
    assertThat(c.trackMetrics()).isTrue();
    assertThat(s.toBuilder().build()).isEqualTo(s);
  }

  @Test
  void startOptionsKeepWhatTheyAreGiven() {
    StartOptions o =
        StartOptions.builder("exp")
            .project("p")
            .backends("local", "mlflow")
            .tags("a")
            .config(Map.of("k", 1))
            .build();
    assertThat(o.project()).contains("p");
    assertThat(o.backends()).containsExactly("local", "mlflow");
    assertThat(o.config()).containsEntry("k", 1);
  }
}
