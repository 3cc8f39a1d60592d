package dev.tracelet.plugin.wandb;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WandbNamesTest {
  @Test
  void runIdsFollowWandbsRules() {
    assertThat(WandbNames.runIdProblem("0123456789abcdef0123456789abcdef")).isNull();
    assertThat(WandbNames.runIdProblem("my-run_1.2")).isNull();
    for (String bad :
        new String[] {"a:b", "a;b", "a,b", "a#b", "a?b", "a/b", "a'b", " a", "a ", ""}) {
      assertThat(WandbNames.runIdProblem(bad)).as(bad).isNotNull();
    }
  }

  @Test
  void projectsFollowWandbsRules() {
    assertThat(WandbNames.projectProblem("default")).isNull();
    assertThat(WandbNames.projectProblem("p".repeat(128))).isNull();
    assertThat(WandbNames.projectProblem("p".repeat(129))).isNotNull();
    for (String bad : new String[] {"a/b", "a\\b", "a#b", "a?b", "a%b", "a:b", " "}) {
      assertThat(WandbNames.projectProblem(bad)).as(bad).isNotNull();
    }
  }

  @Test
  void artifactNamesKeepWhatWandbAllows() {
    assertThat(WandbNames.artifactName("my model v1.2_final-b")).isEqualTo("my-model-v1.2_final-b");
    assertThat(WandbNames.artifactName("a+b@c=d,e")).isEqualTo("a-b-c-d-e");
    assertThat(WandbNames.artifactName("x".repeat(200))).hasSize(128);
  }

  @Test
  void systemMetricsAndReservedKeys() {
    assertThat(WandbNames.isSystemMetric("system/cpu_percent")).isTrue();
    assertThat(WandbNames.isSystemMetric("system/")).isFalse();
    assertThat(WandbNames.isSystemMetric("systems/x")).isFalse();
    assertThat(WandbNames.systemKey("system/gpu/0/util")).isEqualTo("system.gpu.0.util");
    assertThat(WandbNames.isReserved("_step")).isTrue();
    assertThat(WandbNames.isReserved("_wandb")).isTrue();
    assertThat(WandbNames.isReserved("_my_metric")).isFalse();
    assertThat(WandbNames.isUsableTag("t".repeat(64))).isTrue();
    assertThat(WandbNames.isUsableTag("t".repeat(65))).isFalse();
  }
}
