package dev.tracelet.testkit.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a {@link RecordedRun} keeps, and that it can be read while a worker writes. */
class RecordedRunTest {
  private static final Duration GENEROUS = Duration.ofSeconds(30);

  @TempDir Path scratch;

  private final ExecutorService worker = Executors.newSingleThreadExecutor();

  @AfterEach
  void cleanUp() {
    worker.shutdownNow();
    RecordingBackendPlugin.reset();
  }

  @Test
  void keepsArtifactBytesEvenAfterTheHostDeletesItsFiles() throws Exception {
    Path file = Files.writeString(scratch.resolve("weights.bin"), "weights-v1");
    TraceletArtifact artifact =
        new TraceletArtifact("model", ArtifactType.MODEL, "the model")
            .addFile(file, "weights/weights.bin", null)
            .putMetadata("framework", "djl");
    BackendSession session = open();

    ArtifactResult result = session.logArtifact(artifact);
    Files.delete(file);

    assertThat(result.backend()).isEqualTo("recording");
    assertThat(result.version()).isEqualTo("1");
    RecordedArtifact recorded = onlyRun().artifact("model").orElseThrow();
    assertThat(recorded.type()).isEqualTo(ArtifactType.MODEL);
    assertThat(recorded.description()).isEqualTo("the model");
    assertThat(recorded.filePaths()).containsExactly("weights/weights.bin");
    assertThat(recorded.metadata()).containsEntry("framework", "djl");
    assertThat(recorded.fileBytes("weights/weights.bin"))
        .hasValueSatisfying(
            b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("weights-v1"));
    assertThat(recorded.fileBytes("other.bin")).isEmpty();
  }

  @Test
  void handsOutCopiesOfArtifactBytes() throws Exception {
    Path file = Files.write(scratch.resolve("a.bin"), new byte[] {1, 2, 3});
    open()
        .logArtifact(
            new TraceletArtifact("a", ArtifactType.CUSTOM, null).addFile(file, null, null));
    RecordedArtifact recorded = onlyRun().artifact("a").orElseThrow();

    recorded.fileBytes("a.bin").orElseThrow()[0] = 42;

    assertThat(recorded.fileBytes("a.bin")).hasValueSatisfying(b -> assertThat(b).startsWith(1));
  }

  @Test
  void versionsArtifactsOfTheSameNameAndFindsTheLatest() throws Exception {
    Path v1 = Files.writeString(scratch.resolve("v1.txt"), "one");
    Path v2 = Files.writeString(scratch.resolve("v2.txt"), "two");
    BackendSession session = open();

    session.logArtifact(
        new TraceletArtifact("notes", ArtifactType.REPORT, null).addFile(v1, "n.txt", null));
    ArtifactResult second =
        session.logArtifact(
            new TraceletArtifact("notes", ArtifactType.REPORT, null).addFile(v2, "n.txt", null));

    assertThat(second.version()).isEqualTo("2");
    assertThat(onlyRun().artifacts())
        .extracting(RecordedArtifact::version)
        .containsExactly("1", "2");
    assertThat(onlyRun().artifact("notes").orElseThrow().fileBytes("n.txt"))
        .hasValueSatisfying(
            b -> assertThat(new String(b, StandardCharsets.UTF_8)).isEqualTo("two"));
  }

  @Test
  void refusesAnArtifactFileThatChangedAfterItWasAdded() throws Exception {
    Path file = Files.writeString(scratch.resolve("data.csv"), "a,b\n1,2\n");
    TraceletArtifact artifact =
        new TraceletArtifact("data", ArtifactType.DATASET, null).addFile(file, null, null);
    Files.writeString(file, "a,b\n1,3\n");
    BackendSession session = open();

    assertThatThrownBy(() -> session.logArtifact(artifact))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("changed after it was added");
    assertThat(onlyRun().artifacts()).isEmpty();
  }

  @Test
  void awaitReturnsOnceAWorkerHasDeliveredEnough() throws Exception {
    BackendSession session = open();
    RecordedRun run = onlyRun();
    CountDownLatch go = new CountDownLatch(1);
    Future<?> delivery =
        worker.submit(
            () -> {
              go.await();
              for (int b = 0; b < 50; b++) {
                session.log(EventBatch.ofMetrics(points("loss", b * 2, 2)));
              }
              session.close(RunStatus.FINISHED);
              return null;
            });

    go.countDown();

    assertThat(run.await(r -> r.metrics().size() == 100, GENEROUS)).isTrue();
    assertThat(run.awaitClosed(GENEROUS)).isTrue();
    delivery.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);
    assertThat(run.status()).contains(RunStatus.FINISHED);
  }

  @Test
  void awaitReportsAConditionThatNeverHolds() throws Exception {
    open();

    assertThat(onlyRun().await(r -> !r.metrics().isEmpty(), Duration.ofMillis(20))).isFalse();
    assertThat(onlyRun().awaitClosed(Duration.ZERO)).isFalse();
  }

  @Test
  void readersNeverSeeHalfABatchWhileAWorkerWrites() throws Exception {
    BackendSession session = open();
    RecordedRun run = onlyRun();
    int batchSize = 7;
    int batches = 300;
    Future<?> delivery =
        worker.submit(
            () -> {
              for (int b = 0; b < batches; b++) {
                session.log(EventBatch.ofMetrics(points("loss", b * batchSize, batchSize)));
              }
              return null;
            });

    List<String> violations = new ArrayList<>();
    int previous = 0;
    while (!delivery.isDone()) {
      int size = run.metrics().size();
      if (size % batchSize != 0 || size < previous) {
        violations.add("read " + size + " metrics after " + previous);
      }
      previous = size;
    }
    delivery.get(GENEROUS.toSeconds(), TimeUnit.SECONDS);

    assertThat(violations).isEmpty();
    assertThat(run.metrics()).hasSize(batchSize * batches);
    assertThat(run.batches()).hasSize(batches);
  }

  @Test
  void describesItselfWithoutDumpingItsContent() {
    BackendSession session = open();
    session.log(EventBatch.ofMetrics(points("loss", 0, 3)));

    assertThat(onlyRun().toString())
        .contains("batches=1", "metrics=3", "status=open")
        .doesNotContain("loss");
  }

  private BackendSession open() {
    return new RecordingBackendPlugin()
        .open(TestBackendContext.builder(scratch).config(Map.of()).build());
  }

  private static RecordedRun onlyRun() {
    List<RecordedRun> runs = RecordingBackendPlugin.runs();
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }

  private static List<MetricEvent> points(String key, long firstStep, int count) {
    List<MetricEvent> points = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long step = firstStep + i;
      points.add(new MetricEvent(key, step * 0.5, step, 1_700_000_000_000L + step));
    }
    return points;
  }
}
