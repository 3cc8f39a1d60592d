package dev.tracelet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ExperimentConfig;
import dev.tracelet.api.TraceletVersion;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestBackendContextTest {
  @TempDir Path scratch;

  @Test
  void defaultsAreQuietAndFresh() {
    TestBackendContext context = TestBackendContext.builder(scratch).build();

    assertThat(context.runId()).matches("[0-9a-f]{32}");
    assertThat(context.experimentName()).isEqualTo("test-run");
    assertThat(context.project()).isEqualTo("default");
    assertThat(context.tags()).isEmpty();
    assertThat(context.startTime()).isNotNull();
    assertThat(context.experimentConfig().trackGit()).isFalse();
    assertThat(context.experimentConfig().trackEnvironment()).isFalse();
    assertThat(context.experimentConfig())
        .isEqualTo(
            ExperimentConfig.defaults().toBuilder()
                .trackGit(false)
                .trackEnvironment(false)
                .build());
    assertThat(context.config()).isEmpty();
    assertThat(context.scratchDir()).isEqualTo(scratch);
    assertThat(context.logger().getName()).isEqualTo(TestBackendContext.class.getName());
    assertThat(context.resumed()).isFalse();
    assertThat(context.hostVersion()).isEqualTo(TraceletVersion.apiVersion());
  }

  @Test
  void eachBuildGetsItsOwnRunId() {
    assertThat(TestBackendContext.builder(scratch).build().runId())
        .isNotEqualTo(TestBackendContext.builder(scratch).build().runId());
  }

  @Test
  void everyFieldCanBeSetAndSurvivesToBuilder() {
    System.Logger logger = System.getLogger("custom");
    Instant start = Instant.parse("2024-01-02T03:04:05Z");
    TestBackendContext context =
        TestBackendContext.builder(scratch)
            .runId("abc")
            .experimentName("exp")
            .project("proj")
            .tags(List.of("a", "b"))
            .startTime(start)
            .experimentConfig(ExperimentConfig.defaults())
            .config(Map.of("tracking_uri", "http://localhost:5000"))
            .logger(logger)
            .resumed(true)
            .hostVersion("9.9.9")
            .build();

    assertThat(context.runId()).isEqualTo("abc");
    assertThat(context.experimentName()).isEqualTo("exp");
    assertThat(context.project()).isEqualTo("proj");
    assertThat(context.tags()).containsExactly("a", "b");
    assertThat(context.startTime()).isEqualTo(start);
    assertThat(context.experimentConfig()).isEqualTo(ExperimentConfig.defaults());
    assertThat(context.config())
        .containsExactly(Map.entry("tracking_uri", "http://localhost:5000"));
    assertThat(context.logger()).isSameAs(logger);
    assertThat(context.resumed()).isTrue();
    assertThat(context.hostVersion()).isEqualTo("9.9.9");
    assertThat(context.toBuilder().build()).isEqualTo(context).hasSameHashCodeAs(context);
    assertThat(context.toBuilder().resumed(false).build()).isNotEqualTo(context);
  }

  @Test
  void isImmutable() {
    Map<String, String> config = new HashMap<>(Map.of("key", "v1"));
    TestBackendContext context = TestBackendContext.builder(scratch).config(config).build();
    config.put("key", "v2");

    assertThat(context.config()).containsEntry("key", "v1");
    assertThatThrownBy(() -> context.config().put("other", "x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> context.tags().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringNamesSettingsButNeverTheirValues() {
    TestBackendContext context =
        TestBackendContext.builder(scratch).config(Map.of("api_key", "s3cr3t-token")).build();

    assertThat(context.toString()).contains("api_key").doesNotContain("s3cr3t-token");
  }

  @Test
  void refusesAMissingScratchDirAndBlankNames() {
    assertThatThrownBy(() -> TestBackendContext.builder(scratch.resolve("missing")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@TempDir");
    assertThatThrownBy(() -> TestBackendContext.builder(scratch).runId(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runId");
    assertThatThrownBy(() -> TestBackendContext.builder(scratch).project(""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
