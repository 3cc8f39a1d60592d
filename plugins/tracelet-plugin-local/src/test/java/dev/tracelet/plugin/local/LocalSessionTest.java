package dev.tracelet.plugin.local;

import static dev.tracelet.plugin.local.StoreFixture.metrics;
import static dev.tracelet.plugin.local.StoreFixture.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.MetricPoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSessionTest {
  @TempDir Path temp;
  StoreFixture f;

  @BeforeEach
  void setUp() {
    f = new StoreFixture(temp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void aChangedParameterIsRefusedNamingKeyAndBothValuesWhileTheRestIsStored() {
    LocalSession s = f.open("e");
    s.log(params(Map.of("lr", 0.1)));
    s.log(params(Map.of("lr", 0.1))); // the same value again is fine
    EventBatch changed =
        new EventBatch(
            List.of(new MetricEvent("loss", 1, 0, 5)),
            List.of(new dev.tracelet.api.plugin.ParamEvent("lr", 0.2)),
            List.of());
    assertThatThrownBy(() -> s.log(changed))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("'lr'")
        .hasMessageContaining("'0.1'")
        .hasMessageContaining("'0.2'");
    assertThatThrownBy(() -> s.log(changed)).isInstanceOf(BackendException.class);
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().params()).containsEntry("lr", "0.1");
    assertThat(f.runs.metricHistory(s.runId(), "loss")).hasSize(1);
  }

  @Test
  void aResumedRunKeepsItsParametersWriteOnceAndAppendsHistory() {
    TestContext ctx = f.context("e");
    LocalSession first = f.open(ctx);
    first.log(params(Map.of("seed", 1L)));
    first.log(EventBatch.ofMetrics(List.of(new MetricEvent("m", 1, 0, 1))));
    first.close(RunStatus.KILLED);
    LocalSession second = f.open(ctx.resuming());
    assertThatThrownBy(() -> second.log(params(Map.of("seed", 2L))))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("seed");
    second.log(EventBatch.ofMetrics(List.of(new MetricEvent("m", 2, 1, 2))));
    second.close(RunStatus.FINISHED);
    assertThat(f.runs.metricHistory(ctx.runId(), "m"))
        .extracting(MetricPoint::value)
        .containsExactly(1.0, 2.0);
    assertThat(f.runs.getRun(ctx.runId()).orElseThrow().info().status())
        .isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void aLargeBatchOfOneKeyIsSplitIntoChunksAndReadBackWhole() {
    LocalSession s = f.open("e");
    int n = LocalSession.CHUNK_POINTS * 2 + 17;
    List<MetricEvent> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      events.add(new MetricEvent("m", i, i, 1_000 + i));
    }
    s.log(EventBatch.ofMetrics(events));
    s.close(RunStatus.FINISHED);
    List<MetricPoint> history = f.runs.metricHistory(s.runId(), "m");
    assertThat(history).hasSize(n);
    assertThat(history.get(n - 1)).isEqualTo(new MetricPoint(n - 1, 1_000 + n - 1, n - 1));
  }

  @Test
  void historyIsInStepThenTimeOrderAndLatestIsTheHighestStep() {
    LocalSession s = f.open("e");
    s.log(
        EventBatch.ofMetrics(
            List.of(new MetricEvent("m", 10, 10, 100), new MetricEvent("m", 3, 3, 101))));
    s.log(
        EventBatch.ofMetrics(
            List.of(new MetricEvent("m", 5, 5, 102), new MetricEvent("m", 30, 3, 50))));
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.metricHistory(s.runId(), "m"))
        .containsExactly(
            new MetricPoint(3, 50, 30),
            new MetricPoint(3, 101, 3),
            new MetricPoint(5, 102, 5),
            new MetricPoint(10, 100, 10));
    assertThat(f.runs.getRun(s.runId()).orElseThrow().metrics()).containsEntry("m", 10.0);
  }

  @Test
  void unknownMetricHasAnEmptyHistory() {
    LocalSession s = f.open("e");
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.metricHistory(s.runId(), "never-logged")).isEmpty();
  }

  @Test
  void anInvalidKeyFailsTheBatchWithAClearMessage() {
    LocalSession s = f.open("e");
    assertThatThrownBy(() -> s.log(metrics("bad\nname", 1)))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("control characters");
    s.close(RunStatus.FINISHED);
  }

  @Test
  void closingRunningOnlyDetachesAndAClosedSessionRefusesWork() {
    LocalSession s = f.open("e");
    s.close(RunStatus.RUNNING);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status()).isEqualTo(RunStatus.RUNNING);
    assertThatThrownBy(() -> s.log(metrics("m", 1))).isInstanceOf(IllegalStateException.class);
    s.close(RunStatus.FINISHED); // a second close is a no-op
  }

  @Test
  void advertisesBigBatchesArtifactsAndReads() {
    LocalSession s = f.open("e");
    BackendCapabilities caps = s.capabilities();
    assertThat(caps.maxBatchEvents()).isEqualTo(LocalSession.MAX_BATCH_EVENTS);
    assertThat(caps.artifacts()).isTrue();
    assertThat(caps.readSupport()).isTrue();
    assertThat(s.store()).containsSame(f.runs);
    s.close(RunStatus.FINISHED);
  }

  @Test
  void aProjectThatLooksLikeAnIdIsRefusedAtOpen() {
    assertThatThrownBy(() -> f.open("2024"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exp-2024");
  }
}
