package dev.tracelet.plugin.local;

import static dev.tracelet.plugin.local.StoreFixture.metrics;
import static dev.tracelet.plugin.local.StoreFixture.params;
import static dev.tracelet.plugin.local.StoreFixture.tags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.ExperimentNotFoundException;
import dev.tracelet.api.ModelVersionNotFoundException;
import dev.tracelet.api.NoVersionsFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.Sort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each of RuneLog's storage, run and registry defects (originals.md 16-28), shown fixed. */
class RuneLogDefectsTest {
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
  @DisplayName("16: metrics keep their whole history with step and timestamp")
  void metricHistoryIsAppendOnly() {
    LocalSession s = f.open("e");
    s.log(EventBatch.ofMetrics(List.of(new MetricEvent("loss", 1.0, 0, 1000))));
    s.log(EventBatch.ofMetrics(List.of(new MetricEvent("loss", 0.5, 0, 2000))));
    s.log(EventBatch.ofMetrics(List.of(new MetricEvent("loss", 0.1, 1, 3000))));
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.metricHistory(s.runId(), "loss"))
        .containsExactly(
            new MetricPoint(0, 1000, 1.0),
            new MetricPoint(0, 2000, 0.5),
            new MetricPoint(1, 3000, 0.1));
  }

  @Test
  @DisplayName("17: experiment ids are never reused, not after delete, not after purge")
  void experimentIdsNeverReused() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      String id = f.runs.getOrCreateExperiment("same-name");
      assertThat(ids.add(id)).as("id %s handed out twice", id).isTrue();
      f.runs.deleteExperiment(id);
      f.runs.purgeDeleted();
    }
  }

  @Test
  @DisplayName("17: concurrent get-or-create of one name yields one experiment")
  void concurrentCreationYieldsOneId() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        ids.add(
            pool.submit(
                () -> {
                  start.await();
                  return f.runs.getOrCreateExperiment("race");
                }));
      }
      start.countDown();
      Set<String> distinct = new HashSet<>();
      for (Future<String> id : ids) {
        distinct.add(id.get(30, TimeUnit.SECONDS));
      }
      assertThat(distinct).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("17: a run id is unique: a second run with it is refused, a purged one retired")
  void runIdsAreCheckedAndRetired() {
    LocalSession first = f.open("e");
    first.close(RunStatus.FINISHED);
    TestContext again = f.context("e").withRunId(first.runId());
    assertThatThrownBy(() -> f.open(again))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining(first.runId())
        .hasMessageContaining("already exists");
    f.runs.deleteRun(first.runId());
    f.runs.purgeDeleted();
    assertThatThrownBy(() -> f.open(again.resuming()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("never reused");
  }

  @Test
  @DisplayName("17: model versions come from a counter, not from the highest existing number")
  void modelVersionsAreCounted() throws Exception {
    String run = runWithFile("m.bin", "x");
    f.runs.registry().registerModel(run, "m.bin", "m", Map.of());
    f.runs.registry().registerModel(run, "m.bin", "m", Map.of());
    // Remove version 2's row by hand, as a crash or an old tool might: 2 must still not return.
    try (Connection c = f.store.db().connect();
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM model_versions WHERE version = 2");
    }
    assertThat(f.runs.registry().registerModel(run, "m.bin", "m", Map.of())).isEqualTo("3");
  }

  @Test
  @DisplayName(
      "18: a batch is one transaction: a failure stores none of it; the retry stores it once")
  void batchIsAtomicAndRetrySafe() throws Exception {
    LocalSession s = f.open("e");
    try (Connection c = f.store.db().connect();
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TRIGGER boom BEFORE INSERT ON metric_series WHEN NEW.key = 'boom'"
              + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    }
    EventBatch batch =
        new EventBatch(
            List.of(new MetricEvent("ok", 1, 0, 1), new MetricEvent("boom", 2, 0, 1)),
            List.of(new dev.tracelet.api.plugin.ParamEvent("lr", 0.1)),
            List.of(new dev.tracelet.api.plugin.TagEvent("t", "v")));
    assertThatThrownBy(() -> s.log(batch)).isInstanceOf(BackendException.class);
    RunDetails after = f.runs.getRun(s.runId()).orElseThrow();
    assertThat(after.metrics()).isEmpty();
    assertThat(after.params()).isEmpty();
    assertThat(after.tags()).isEmpty();

    try (Connection c = f.store.db().connect();
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER boom");
    }
    s.log(batch);
    s.log(batch); // a retry after a commit whose success was not seen: no duplicate points
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.metricHistory(s.runId(), "ok")).hasSize(1);
    assertThat(f.runs.metricHistory(s.runId(), "boom")).hasSize(1);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().params()).containsEntry("lr", "0.1");
  }

  @Test
  @DisplayName("18: readers never see half a batch while a writer commits")
  void readersSeeWholeBatches() throws Exception {
    LocalSession s = f.open("e");
    int batch = 1_000;
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> reader =
          pool.submit(
              () -> {
                int reads = 0;
                while (!done.get()) {
                  int n = f.runs.metricHistory(s.runId(), "m").size();
                  assertThat(n % batch).as("points seen mid-batch").isZero();
                  reads++;
                }
                return reads;
              });
      double[] values = new double[batch];
      for (int i = 0; i < 50; i++) {
        s.log(metrics("m", values));
      }
      done.set(true);
      assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      pool.shutdownNow();
      s.close(RunStatus.FINISHED);
    }
  }

  @Test
  @DisplayName("19: no key or name escapes the store: params are rows, paths are checked")
  void namesCannotEscape() throws Exception {
    LocalSession s = f.open("e");
    s.log(params(Map.of("../../evil", 1L)));
    assertThat(f.runs.getRun(s.runId()).orElseThrow().params()).containsKey("../../evil");
    assertThatThrownBy(
            () ->
                new TraceletArtifact("ok", ArtifactType.MODEL, null)
                    .addFile(f.file("x", "x"), "../x", null))
        .isInstanceOf(IllegalArgumentException.class);
    s.logArtifact(
        new TraceletArtifact("ok", ArtifactType.MODEL, null).addFile(f.file("m", "m"), null, null));
    s.close(RunStatus.FINISHED);
    assertThatThrownBy(() -> f.runs.artifactPath(s.runId(), "../../tracelet.db"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.runs.artifactPath(s.runId(), "ok/../../x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.runs.registry().registerModel(s.runId(), "ok", "../evil", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> f.runs.registry().registerModel(s.runId(), "ok", "a/b", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    try (Stream<Path> all = Files.walk(temp)) {
      assertThat(all.filter(p -> p.getFileName().toString().contains("evil"))).isEmpty();
    }
  }

  @Test
  @DisplayName("20: artifact paths are kept; a taken name is never silently overwritten")
  void artifactsKeepPathsAndNeverOverwrite() {
    LocalSession s = f.open("e");
    TraceletArtifact a =
        new TraceletArtifact("plots", ArtifactType.IMAGE, null)
            .addFile(f.file("a/loss.png", "A"), "train/loss.png", null)
            .addFile(f.file("b/loss.png", "B"), "eval/loss.png", null);
    String version = s.logArtifact(a).version();
    assertThat(s.logArtifact(a).version()).as("same content again is a no-op").isEqualTo(version);
    TraceletArtifact changed =
        new TraceletArtifact("plots", ArtifactType.IMAGE, null)
            .addFile(f.file("c/loss.png", "C"), "train/loss.png", null);
    assertThatThrownBy(() -> s.logArtifact(changed))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("never overwritten");
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.artifactPath(s.runId(), "plots/train/loss.png")).hasContent("A");
    assertThat(f.runs.artifactPath(s.runId(), "plots/eval/loss.png")).hasContent("B");
  }

  @Test
  @DisplayName("21: NaN and infinities are stored exactly, in history, latest value and CSV")
  void nonFiniteValues() {
    LocalSession s = f.open("e");
    s.log(metrics("nan", 1.0, Double.NaN));
    s.log(metrics("inf", Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.metricHistory(s.runId(), "nan").get(1).value()).isNaN();
    assertThat(f.runs.metricHistory(s.runId(), "inf"))
        .extracting(MetricPoint::value)
        .containsExactly(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().metrics().get("nan")).isNaN();
    assertThat(f.runs.loadResults("e", Sort.none()).toCsv()).contains("Infinity,NaN");
  }

  @Test
  @DisplayName("22: runs are explicit handles: threads log into their own runs at once")
  void threadsLogIntoTheirOwnRuns() throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> runs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        runs.add(
            pool.submit(
                () -> {
                  LocalSession s = f.open("threads");
                  start.await();
                  for (int b = 0; b < 20; b++) {
                    double[] values = new double[500];
                    java.util.Arrays.fill(values, b);
                    s.log(metrics("m", values));
                  }
                  s.close(RunStatus.FINISHED);
                  return s.runId();
                }));
      }
      start.countDown();
      for (Future<String> run : runs) {
        assertThat(f.runs.metricHistory(run.get(60, TimeUnit.SECONDS), "m")).hasSize(10_000);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("23: a run ends FAILED or KILLED, not always FINISHED")
  void failureAndInterruptionAreRecorded() {
    LocalSession failed = f.open("e");
    failed.close(RunStatus.FAILED);
    LocalSession killed = f.open("e");
    killed.close(RunStatus.KILLED);
    assertThat(f.runs.getRun(failed.runId()).orElseThrow().info().status())
        .isEqualTo(RunStatus.FAILED);
    assertThat(f.runs.getRun(killed.runId()).orElseThrow().info().status())
        .isEqualTo(RunStatus.KILLED);
  }

  @Test
  @DisplayName("24: times are UTC epoch milliseconds, from the run's own clock, not file mtimes")
  void timesAreUtcMillis() {
    Instant start = Instant.parse("2024-01-02T03:04:05.678Z");
    LocalSession s = f.open(f.context("e").withStart(start));
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().startTime()).isEqualTo(start);
    assertThat(f.runs.loadResults("e", Sort.none()).toCsv()).contains("2024-01-02T03:04:05.678Z");
    assertThat(f.runs.getExperiment("e").orElseThrow().createdAt())
        .isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));
  }

  @Test
  @DisplayName("25: results are namespaced: a metric or param named 'status' shadows nothing")
  void resultsAreNamespaced() {
    LocalSession s = f.open("e");
    s.log(metrics("status", 42));
    s.log(params(Map.of("status", "param")));
    s.close(RunStatus.FINISHED);
    ResultsTable t = f.runs.loadResults("e", Sort.by("metric.status"));
    assertThat(t.rows().get(0))
        .containsEntry("status", "FINISHED")
        .containsEntry("metric.status", 42.0)
        .containsEntry("param.status", "param");
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status())
        .isEqualTo(RunStatus.FINISHED);
  }

  @Test
  @DisplayName("25: ids and names never shadow each other; unknown ids are refused, not created")
  void idsAndNamesAreSeparate() {
    String id = f.runs.getOrCreateExperiment("first");
    assertThatThrownBy(() -> f.runs.getOrCreateExperiment(id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("experiment id");
    assertThatThrownBy(() -> f.runs.loadResults("12345", Sort.none()))
        .isInstanceOf(ExperimentNotFoundException.class);
    assertThat(f.runs.listExperiments()).hasSize(1);
  }

  @Test
  @DisplayName("26: soft delete and restore; per-key tags on any run and experiment")
  void softDeleteAndPerKeyTags() {
    LocalSession s = f.open("e");
    s.close(RunStatus.FINISHED);
    f.runs.setRunTag(s.runId(), "after-the-fact", "yes");
    f.runs.setExperimentTag("e", "owner", "ana");
    f.runs.setExperimentTag("e", "team", "ml");
    f.runs.deleteExperimentTag("e", "team");
    assertThat(f.runs.getExperiment("e").orElseThrow().tags()).isEqualTo(Map.of("owner", "ana"));
    f.runs.deleteExperiment("e");
    f.runs.restoreRun(s.runId());
    assertThat(f.runs.getExperiment("e")).as("restored with its run").isPresent();
    assertThat(f.runs.getRun(s.runId()).orElseThrow().tags())
        .containsEntry("after-the-fact", "yes");
  }

  @Test
  @DisplayName("27: registry aliases, tag removal, validated names, verified read-only copies")
  void registry() throws Exception {
    String run = runWithFile("model.bin", "original");
    var reg = f.runs.registry();
    reg.registerModel(run, "model.bin", "churn", Map.of("stage", "dev", "owner", "ana"));
    reg.registerModel(run, "model.bin", "churn", Map.of());
    reg.setAlias("churn", "champion", "1");
    reg.setAlias("churn", "champion", "latest"); // moves it
    reg.removeModelTags("churn", "1", List.of("stage", "absent"));
    assertThat(reg.modelTags("churn", "1")).isEqualTo(Map.of("owner", "ana"));
    assertThat(reg.modelVersions("churn", Sort.none()))
        .extracting(ModelVersion::version, ModelVersion::aliases)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("2", List.of("champion")),
            org.assertj.core.groups.Tuple.tuple("1", List.of()));
    assertThat(reg.loadRegisteredModel("churn", "champion")).hasContent("original");
    reg.deleteAlias("churn", "champion");
    assertThatThrownBy(() -> reg.loadRegisteredModel("churn", "champion"))
        .isInstanceOf(ModelVersionNotFoundException.class);
    assertThatThrownBy(() -> reg.setAlias("churn", "latest", "1"))
        .isInstanceOf(IllegalArgumentException.class);

    // The run's file changes later (outside Tracelet): the registered copy does not.
    Path source = f.runs.artifactPath(run, "model.bin");
    Files.writeString(source, "tampered");
    Path registered = reg.loadRegisteredModel("churn", "1");
    assertThat(registered).hasContent("original");
    assertThat(Files.getPosixFilePermissions(registered))
        .doesNotContain(
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
            java.nio.file.attribute.PosixFilePermission.GROUP_WRITE,
            java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE);
    assertThatThrownBy(() -> reg.registerModel(run, "model.bin", "churn", Map.of()))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("SHA-256");
    registered.toFile().setWritable(true);
    Files.writeString(registered, "edited");
    assertThatThrownBy(() -> reg.loadRegisteredModel("churn", "1"))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("SHA-256");
  }

  @Test
  @DisplayName("27: a model without versions says so; an unknown version says which")
  void registryErrors() {
    assertThatThrownBy(() -> f.runs.registry().loadRegisteredModel("none", "latest"))
        .isInstanceOf(dev.tracelet.api.ModelNotFoundException.class);
    String run = runWithFile("m.bin", "x");
    f.runs.registry().registerModel(run, "m.bin", "m", Map.of());
    assertThatThrownBy(() -> f.runs.registry().loadRegisteredModel("m", "7"))
        .isInstanceOf(ModelVersionNotFoundException.class)
        .hasMessageContaining("'7'");
    try (Connection c = f.store.db().connect();
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM model_versions");
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> f.runs.registry().loadRegisteredModel("m", "latest"))
        .isInstanceOf(NoVersionsFoundException.class);
  }

  @Test
  @DisplayName("28: sorting by num_runs works with experiments that have no runs")
  void sortByNumRunsWithEmptyExperiments() {
    f.runs.getOrCreateExperiment("empty");
    LocalSession s = f.open("full");
    s.log(tags(Map.of("x", "y")));
    s.close(RunStatus.FINISHED);
    assertThat(f.runs.experimentSummaries(Sort.by("num_runs")))
        .extracting(e -> e.name())
        .containsExactly("empty", "full");
  }

  private String runWithFile(String name, String content) {
    LocalSession s = f.open("e");
    s.logArtifact(
        new TraceletArtifact(name, ArtifactType.MODEL, null)
            .addFile(f.file(name + "-src", content), name, null));
    s.close(RunStatus.FINISHED);
    return s.runId();
  }
}
