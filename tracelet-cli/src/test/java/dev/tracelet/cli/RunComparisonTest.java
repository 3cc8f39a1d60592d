package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunComparisonTest {
  private static RunDetails run(
      String id, Map<String, Double> metrics, Map<String, String> params) {
    Instant t = Instant.parse("2025-01-01T00:00:00Z");
    return new RunDetails(
        new RunInfo(id, "1", "r", RunStatus.FINISHED, t, t.plusSeconds(5)),
        params,
        metrics,
        Map.of(),
        List.of());
  }

  private static RunComparison.MetricRow row(RunComparison c, String metric) {
    return c.metrics().stream().filter(m -> m.name().equals(metric)).findFirst().orElseThrow();
  }

  @Test
  void lossesAndErrorsAreBestLowAndEverythingElseHigh() {
    RunDetails a = run("a", Map.of("val_loss", 0.2, "accuracy", 0.80, "MAE", 3.0), Map.of());
    RunDetails b = run("b", Map.of("val_loss", 0.3, "accuracy", 0.90, "MAE", 2.0), Map.of());

    RunComparison c = RunComparison.of(List.of(a, b), List.of(), List.of());

    assertThat(row(c, "val_loss").best()).containsExactly("a");
    assertThat(row(c, "val_loss").goal()).isEqualTo(RunComparison.Goal.MINIMIZE);
    assertThat(row(c, "accuracy").best()).containsExactly("b");
    assertThat(row(c, "MAE").best()).containsExactly("b");
  }

  @Test
  void theNameRuleCoversTheDocumentedParts() {
    assertThat(RunComparison.defaultGoal("train_loss")).isEqualTo(RunComparison.Goal.MINIMIZE);
    assertThat(RunComparison.defaultGoal("test_error")).isEqualTo(RunComparison.Goal.MINIMIZE);
    assertThat(RunComparison.defaultGoal("rmse")).isEqualTo(RunComparison.Goal.MINIMIZE);
    assertThat(RunComparison.defaultGoal("mae")).isEqualTo(RunComparison.Goal.MINIMIZE);
    assertThat(RunComparison.defaultGoal("f1")).isEqualTo(RunComparison.Goal.MAXIMIZE);
  }

  @Test
  void theUsersChoiceWinsOverTheNameRule() {
    RunDetails a = run("a", Map.of("loss_scale", 1.0, "latency", 5.0), Map.of());
    RunDetails b = run("b", Map.of("loss_scale", 2.0, "latency", 3.0), Map.of());

    RunComparison c = RunComparison.of(List.of(a, b), List.of("loss_scale"), List.of("latency"));

    assertThat(row(c, "loss_scale").best()).containsExactly("b");
    assertThat(row(c, "latency").best()).containsExactly("b");
  }

  @Test
  void tiesNameEveryBestRunAndNanNeverWins() {
    RunDetails a = run("a", Map.of("acc", 0.9, "loss", Double.NaN), Map.of());
    RunDetails b = run("b", Map.of("acc", 0.9, "loss", 0.5), Map.of());
    RunDetails c = run("c", Map.of("acc", 0.7), Map.of("lr", "0.1"));

    RunComparison cmp = RunComparison.of(List.of(a, b, c), List.of(), List.of());

    assertThat(row(cmp, "acc").best()).containsExactly("a", "b");
    assertThat(row(cmp, "loss").best()).containsExactly("b");
    assertThat(row(cmp, "loss").values()).doesNotContainKey("c");
    assertThat(cmp.params()).containsEntry("lr", Map.of("c", "0.1"));
  }

  @Test
  void aMetricCannotGoBothWays() {
    RunDetails a = run("a", Map.of("x", 1.0), Map.of());
    assertThatThrownBy(() -> RunComparison.of(List.of(a, a), List.of("x"), List.of("x")))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("x");
  }

  @Test
  void shortIdsStayDistinct() {
    assertThat(RunsCommand.shortIds(List.of("abcdef0123", "abcdef0199")))
        .containsEntry("abcdef0123", "abcdef012")
        .containsEntry("abcdef0199", "abcdef019");
    assertThat(RunsCommand.shortIds(List.of("11112222aaaa", "33334444bbbb")))
        .containsEntry("11112222aaaa", "11112222");
  }
}
