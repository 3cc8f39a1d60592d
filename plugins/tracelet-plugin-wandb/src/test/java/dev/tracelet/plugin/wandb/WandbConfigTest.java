package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.plugin.ConfigKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WandbConfigTest {
  @TempDir Path home;

  private Map<String, String> settings(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void everyKeyNamesItsVendorVariable() {
    Map<String, String> env = new HashMap<>();
    for (ConfigKey k : WandbConfig.KEYS) {
      if (!k.envVars().isEmpty()) {
        env.put(k.name(), k.envVars().get(0));
      }
    }
    assertThat(env)
        .containsEntry("api_key", "WANDB_API_KEY")
        .containsEntry("base_url", "WANDB_BASE_URL")
        .containsEntry("entity", "WANDB_ENTITY")
        .containsEntry("project", "WANDB_PROJECT")
        .containsEntry("run_id", "WANDB_RUN_ID")
        .containsEntry("name", "WANDB_NAME")
        .containsEntry("tags", "WANDB_TAGS")
        .containsEntry("group", "WANDB_RUN_GROUP")
        .containsEntry("job_type", "WANDB_JOB_TYPE")
        .containsEntry("notes", "WANDB_NOTES")
        .containsEntry("mode", "WANDB_MODE");
    assertThat(WandbConfig.KEYS.stream().filter(ConfigKey::secret).map(ConfigKey::name))
        .containsExactly("api_key");
  }

  @Test
  void defaultsFollowWandb() {
    WandbConfig c = WandbConfig.from(settings("api_key", "k"), home);
    assertThat(c.baseUrl.toString()).isEqualTo("https://api.wandb.ai/");
    assertThat(c.mode).isEqualTo(WandbConfig.Mode.ONLINE);
    assertThat(c.dir).isEqualTo(Path.of("wandb"));
    assertThat(c.requestInterval).isEqualTo(Duration.ofMillis(500));
    assertThat(c.heartbeat).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.graphqlTimeout).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.fileStreamTimeout).isEqualTo(Duration.ofSeconds(180));
    assertThat(c.retry.initialBackoff()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.retry.maxBackoff()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void theKeyComesFromNetrcForTheApiHostWhenNotSet() throws Exception {
    Files.writeString(
        home.resolve(".netrc"),
        "machine wandb.example.com login user password from-netrc\n",
        StandardCharsets.UTF_8);
    WandbConfig c = WandbConfig.from(settings("base_url", "https://wandb.example.com"), home);
    assertThat(c.apiKey).isEqualTo("from-netrc");
    assertThat(c.toString()).doesNotContain("from-netrc").contains("****");
  }

  @Test
  void noKeyAnywhereFailsWithWhatToDo() {
    assertThatThrownBy(() -> WandbConfig.from(settings(), home))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("WANDB_API_KEY")
        .hasMessageContaining(".netrc")
        .hasMessageContaining("offline");
  }

  @Test
  void offlineModeNeedsNoKey() {
    WandbConfig c = WandbConfig.from(settings("mode", "offline"), home);
    assertThat(c.mode).isEqualTo(WandbConfig.Mode.OFFLINE);
    assertThat(c.apiKey).isNull();
    assertThat(WandbConfig.from(settings("mode", "dryrun"), home).mode)
        .isEqualTo(WandbConfig.Mode.OFFLINE);
  }

  @Test
  void badValuesNameTheKeyAndTheAcceptedForm() {
    assertThatThrownBy(() -> WandbConfig.from(settings("api_key", "k", "mode", "sometimes"), home))
        .hasMessageContaining("wandb.mode")
        .hasMessageContaining("online or offline");
    assertThatThrownBy(() -> WandbConfig.from(settings("api_key", "k", "mode", "disabled"), home))
        .hasMessageContaining("leave 'wandb' out");
    assertThatThrownBy(
            () -> WandbConfig.from(settings("api_key", "k", "base_url", "not a url"), home))
        .hasMessageContaining("wandb.base_url");
    assertThatThrownBy(() -> WandbConfig.from(settings("api_key", "k", "project", "a/b"), home))
        .hasMessageContaining("wandb.project");
    assertThatThrownBy(() -> WandbConfig.from(settings("api_key", "k", "run_id", "x#y"), home))
        .hasMessageContaining("wandb.run_id");
    assertThatThrownBy(() -> WandbConfig.from(settings("api_key", "k", "max_retries", "-1"), home))
        .hasMessageContaining("wandb.max_retries");
    assertThatThrownBy(
            () -> WandbConfig.from(settings("api_key", "k", "console", "redirect"), home))
        .hasMessageContaining("wandb.console");
  }

  @Test
  void tagsAreCommaSeparatedAndDeduplicated() {
    assertThat(WandbConfig.from(settings("api_key", "k", "tags", " a, b ,a,,c "), home).tags)
        .containsExactly("a", "b", "c");
  }
}
