package dev.tracelet.plugin.local;

import static dev.tracelet.plugin.local.StoreFixture.metrics;
import static dev.tracelet.plugin.local.StoreFixture.params;
import static dev.tracelet.plugin.local.StoreFixture.tags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.ExperimentNotFoundException;
import dev.tracelet.api.RunNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.store.ExperimentInfo;
import dev.tracelet.api.store.ExperimentSummary;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per function of RuneLog's API, named after it: the Java counterpart does the same job
 * (and docs/local-store.md maps each to its test).
 */
class RuneLogParityTest {
  @TempDir Path temp;
  StoreFixture f;
  RunStore store;

  @BeforeEach
  void setUp() {
    f = new StoreFixture(temp);
    store = f.runs;
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private String finishedRun(String project, EventBatch... batches) {
    LocalSession s = f.open(project);
    for (EventBatch b : batches) {
      s.log(b);
    }
    s.close(RunStatus.FINISHED);
    return s.runId();
  }

  @Test
  @DisplayName("RuneLog(path) / get_tracker(path) -> LocalBackendPlugin.openStore, local.dir")
  void getTracker() {
    Path dir = temp.resolve("elsewhere");
    TestContext ctx = TestContext.of(dir, "p");
    RunStore opened = new LocalBackendPlugin().openStore(ctx).orElseThrow();
    opened.getOrCreateExperiment("exp");
    assertThat(dir.resolve("tracelet.db")).isRegularFile();
    assertThat(new LocalBackendPlugin().openStore(ctx).orElseThrow()).isSameAs(opened);
    OpenStores.closeAll();
  }

  @Test
  @DisplayName("get_or_create_experiment(name) -> getOrCreateExperiment(name)")
  void getOrCreateExperiment() {
    String a = store.getOrCreateExperiment("alpha");
    assertThat(store.getOrCreateExperiment("alpha")).isEqualTo(a);
    assertThat(store.getOrCreateExperiment("beta")).isNotEqualTo(a);
  }

  @Test
  @DisplayName("list_experiments() -> listExperiments()")
  void listExperiments() {
    store.getOrCreateExperiment("alpha");
    store.getOrCreateExperiment("beta");
    store.setExperimentTag("beta", "team", "vision");
    assertThat(store.listExperiments())
        .extracting(ExperimentInfo::name, ExperimentInfo::tags)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alpha", Map.of()),
            org.assertj.core.groups.Tuple.tuple("beta", Map.of("team", "vision")));
  }

  @Test
  @DisplayName("get_experiment(id) -> getExperiment(idOrName)")
  void getExperiment() {
    String id = store.getOrCreateExperiment("alpha");
    assertThat(store.getExperiment(id).orElseThrow().name()).isEqualTo("alpha");
    assertThat(store.getExperiment("alpha").orElseThrow().id()).isEqualTo(id);
    assertThat(store.getExperiment("999")).isEmpty();
    assertThat(store.getExperiment("nope")).isEmpty();
  }

  @Test
  @DisplayName("delete_experiment(name_or_id) -> deleteExperiment (soft) + purgeDeleted")
  void deleteExperiment() {
    String run = finishedRun("doomed", metrics("loss", 1, 2));
    store.deleteExperiment("doomed");
    assertThat(store.getExperiment("doomed")).isEmpty();
    assertThat(store.getRun(run)).isEmpty();
    assertThatThrownBy(() -> store.deleteExperiment("doomed"))
        .isInstanceOf(ExperimentNotFoundException.class);
    assertThat(store.purgeDeleted()).isEqualTo(1);
  }

  @Test
  @DisplayName("get_experiment_summaries(sort_by, ascending) -> experimentSummaries(Sort)")
  void getExperimentSummaries() {
    finishedRun("two");
    finishedRun("two");
    finishedRun("one");
    store.getOrCreateExperiment("none");
    assertThat(store.experimentSummaries(Sort.by("num_runs").descending()))
        .extracting(ExperimentSummary::name, ExperimentSummary::numRuns)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("two", 2),
            org.assertj.core.groups.Tuple.tuple("one", 1),
            org.assertj.core.groups.Tuple.tuple("none", 0));
    assertThat(store.experimentSummaries(Sort.by("last_run")).get(2).lastRun()).isNull();
  }

  @Test
  @DisplayName("get_experiment_runs(id, sort_by, ascending) -> experimentRuns(id, Sort)")
  void getExperimentRuns() {
    String slow = finishedRun("e", metrics("acc", 0.7));
    String fast = finishedRun("e", metrics("acc", 0.9));
    assertThat(store.experimentRuns("e", Sort.by("metric.acc").descending()))
        .extracting(RunInfo::runId)
        .containsExactly(fast, slow);
    assertThatThrownBy(() -> store.experimentRuns("missing", Sort.none()))
        .isInstanceOf(ExperimentNotFoundException.class);
  }

  @Test
  @DisplayName("start_run(experiment_name) -> Tracelet.startLogging(name, project): open/close")
  void startRun() {
    LocalSession s = f.open(f.context("e").withName("baseline"));
    RunInfo running = store.getRun(s.runId()).orElseThrow().info();
    assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(running.name()).isEqualTo("baseline");
    assertThat(running.endTime()).isNull();
    s.close(RunStatus.FAILED);
    RunInfo ended = store.getRun(s.runId()).orElseThrow().info();
    assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
    assertThat(ended.endTime()).isNotNull();
  }

  @Test
  @DisplayName("log_param(key, value) -> Experiment.logParams / logHyperparameter")
  void logParam() {
    String run = finishedRun("e", params(Map.of("lr", 0.01, "layers", 3L, "opt", "adam")));
    assertThat(store.getRun(run).orElseThrow().params())
        .containsExactlyInAnyOrderEntriesOf(Map.of("lr", "0.01", "layers", "3", "opt", "adam"));
  }

  @Test
  @DisplayName("log_metric(key, value) -> Experiment.logMetric(name, value, step): full history")
  void logMetric() {
    String run = finishedRun("e", metrics("loss", 0.9, 0.5, 0.2));
    assertThat(store.metricHistory(run, "loss"))
        .extracting(MetricPoint::step, MetricPoint::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0L, 0.9),
            org.assertj.core.groups.Tuple.tuple(1L, 0.5),
            org.assertj.core.groups.Tuple.tuple(2L, 0.2));
    assertThat(store.getRun(run).orElseThrow().metrics()).containsEntry("loss", 0.2);
  }

  @Test
  @DisplayName("log_artifact(local_path) -> Experiment.logArtifact(Path)")
  void logArtifact() {
    LocalSession s = f.open("e");
    Path file = f.file("report.md", "# results");
    ArtifactResult r =
        s.logArtifact(
            new TraceletArtifact("report.md", ArtifactType.REPORT, null).addFile(file, null, null));
    s.close(RunStatus.FINISHED);
    assertThat(r.backend()).isEqualTo("local");
    assertThat(store.getRun(s.runId()).orElseThrow().artifacts())
        .containsExactly("report.md/report.md");
    assertThat(Path.of(URI.create(r.uri())).resolve("report.md")).hasContent("# results");
  }

  @Test
  @DisplayName("log_model(model, name) -> createArtifact(name, MODEL).addModel(..) + logArtifact")
  void logModel() {
    LocalSession s = f.open("e");
    Path weights = f.file("model.onnx", "weights");
    s.logArtifact(
        new TraceletArtifact("classifier", ArtifactType.MODEL, "resnet")
            .addModel(weights, "onnx", null, null));
    s.close(RunStatus.FINISHED);
    TraceletArtifact back =
        new LocalSessionReader(f).artifacts(s.runId(), ArtifactType.MODEL).get(0);
    assertThat(back.name()).isEqualTo("classifier");
    assertThat(back.metadata()).containsEntry("framework", "onnx");
    assertThat(store.artifactPath(s.runId(), "classifier")).hasContent("weights");
  }

  @Test
  @DisplayName("get_run(run_id) -> getRun(runId): params and metrics kept apart from run fields")
  void getRun() {
    String run = finishedRun("e", metrics("status", 7), params(Map.of("run_id", "x")));
    RunDetails d = store.getRun(run).orElseThrow();
    assertThat(d.info().runId()).isEqualTo(run);
    assertThat(d.info().status()).isEqualTo(RunStatus.FINISHED);
    assertThat(d.metrics()).containsEntry("status", 7.0);
    assertThat(d.params()).containsEntry("run_id", "x");
    assertThat(store.getRun(TestContext.newRunId())).isEmpty();
  }

  @Test
  @DisplayName("get_run_details(run_id) -> getRun(runId) with tags and artifact paths")
  void getRunDetails() {
    LocalSession s = f.open("e");
    s.log(tags(Map.of("stage", "dev")));
    s.logArtifact(
        new TraceletArtifact("cfg", ArtifactType.CONFIG, null)
            .addFile(f.file("a.yaml", "a: 1"), "conf/a.yaml", null));
    s.close(RunStatus.FINISHED);
    RunDetails d = store.getRun(s.runId()).orElseThrow();
    assertThat(d.tags()).containsEntry("stage", "dev");
    assertThat(d.artifacts()).containsExactly("cfg/conf/a.yaml");
  }

  @Test
  @DisplayName("load_results(exp, sort_by, ascending) -> loadResults(exp, Sort), toCsv()")
  void loadResults() {
    finishedRun("e", params(Map.of("lr", 0.1)), metrics("acc", 0.5));
    finishedRun("e", params(Map.of("lr", 0.01)), metrics("acc", 0.8));
    ResultsTable t = store.loadResults("e", Sort.by("param.lr"));
    assertThat(t.columns())
        .containsExactly(
            "run_id", "status", "start_time", "end_time", "duration", "param.lr", "metric.acc");
    assertThat(t.rows()).extracting(r -> r.get("metric.acc")).containsExactly(0.8, 0.5);
    assertThat(t.toCsv()).startsWith("run_id,status,start_time,end_time,duration,param.lr");
  }

  @Test
  @DisplayName("get_artifact_abspath(run_id, artifact_name) -> artifactPath(runId, name)")
  void getArtifactAbspath() {
    LocalSession s = f.open("e");
    s.logArtifact(
        new TraceletArtifact("data", ArtifactType.DATASET, null)
            .addFile(f.file("train.csv", "x,y"), "train.csv", null)
            .addFile(f.file("test.csv", "x"), "test.csv", null));
    s.close(RunStatus.FINISHED);
    Path dir = store.artifactPath(s.runId(), "data");
    assertThat(dir).isDirectory().isAbsolute();
    assertThat(store.artifactPath(s.runId(), "data/train.csv")).hasContent("x,y");
    assertThat(store.artifactPath(s.runId(), "test.csv")).hasContent("x");
    assertThatThrownBy(() -> store.artifactPath(s.runId(), "nothing"))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining("data");
    assertThatThrownBy(() -> store.artifactPath(TestContext.newRunId(), "data"))
        .isInstanceOf(RunNotFoundException.class);
  }

  @Test
  @DisplayName("download_artifact(run_id, name, dest) -> artifactPath (already local), copy it")
  void downloadArtifact() throws Exception {
    LocalSession s = f.open("e");
    s.logArtifact(
        new TraceletArtifact("w.bin", ArtifactType.WEIGHTS, null)
            .addFile(f.file("w.bin", "0101"), null, null));
    s.close(RunStatus.FINISHED);
    Path dest = temp.resolve("download.bin");
    Files.copy(store.artifactPath(s.runId(), "w.bin"), dest);
    assertThat(dest).hasContent("0101");
  }

  @Test
  @DisplayName("delete_run(run_id) -> deleteRun (soft), restoreRun, purgeDeleted")
  void deleteRun() {
    String run = finishedRun("e", metrics("m", 1));
    store.deleteRun(run);
    assertThat(store.getRun(run)).isEmpty();
    assertThat(store.experimentRuns("e", Sort.none())).isEmpty();
    store.restoreRun(run);
    assertThat(store.getRun(run)).isPresent();
    store.deleteRun(run);
    assertThat(store.purgeDeleted()).isEqualTo(1);
    assertThatThrownBy(() -> store.restoreRun(run)).isInstanceOf(RunNotFoundException.class);
  }

  @Test
  @DisplayName("register_model(run_id, artifact, model, tags) -> registry().registerModel")
  void registerModel() {
    String run = runWithModel("m.bin", "v1");
    assertThat(store.registry().registerModel(run, "m.bin", "churn", Map.of("k", "v")))
        .isEqualTo("1");
    assertThat(store.registry().registerModel(run, "m.bin", "churn", Map.of())).isEqualTo("2");
  }

  @Test
  @DisplayName("load_registered_model(name, version='latest') -> loadRegisteredModel")
  void loadRegisteredModel() {
    String run1 = runWithModel("m.bin", "first");
    String run2 = runWithModel("m.bin", "second");
    store.registry().registerModel(run1, "m.bin", "churn", Map.of());
    store.registry().registerModel(run2, "m.bin", "churn", Map.of());
    assertThat(store.registry().loadRegisteredModel("churn", "latest")).hasContent("second");
    assertThat(store.registry().loadRegisteredModel("churn", "1")).hasContent("first");
  }

  @Test
  @DisplayName("add_model_tags(name, version, tags) -> addModelTags")
  void addModelTags() {
    store.registry().registerModel(runWithModel("m.bin", "x"), "m.bin", "churn", Map.of("a", "1"));
    store.registry().addModelTags("churn", "1", Map.of("b", "2"));
    assertThat(store.registry().modelTags("churn", "1")).isEqualTo(Map.of("a", "1", "b", "2"));
  }

  @Test
  @DisplayName("get_model_tags(name, version) -> modelTags")
  void getModelTags() {
    store.registry().registerModel(runWithModel("m.bin", "x"), "m.bin", "churn", Map.of("a", "1"));
    assertThat(store.registry().modelTags("churn", "latest")).isEqualTo(Map.of("a", "1"));
  }

  @Test
  @DisplayName("list_registered_models() -> listRegisteredModels")
  void listRegisteredModels() {
    String run = runWithModel("m.bin", "x");
    store.registry().registerModel(run, "m.bin", "zeta", Map.of());
    store.registry().registerModel(run, "m.bin", "alpha", Map.of());
    assertThat(store.registry().listRegisteredModels()).containsExactly("alpha", "zeta");
  }

  @Test
  @DisplayName("get_model_versions(name, sort_by, ascending) -> modelVersions(name, Sort)")
  void getModelVersions() {
    String run = runWithModel("m.bin", "x");
    for (int i = 0; i < 3; i++) {
      store.registry().registerModel(run, "m.bin", "churn", Map.of());
    }
    assertThat(store.registry().modelVersions("churn", Sort.none()))
        .extracting(ModelVersion::version)
        .containsExactly("3", "2", "1");
    assertThat(store.registry().modelVersions("churn", Sort.by("version")))
        .extracting(ModelVersion::version, ModelVersion::sourceRunId)
        .first()
        .isEqualTo(org.assertj.core.groups.Tuple.tuple("1", run));
  }

  @Test
  @DisplayName("get_run_tags() -> getRun(id).tags()")
  void getRunTags() {
    LocalSession s = f.open(f.context("e").withTags(List.of("project:e", "owner=ana")));
    s.close(RunStatus.FINISHED);
    assertThat(store.getRun(s.runId()).orElseThrow().tags())
        .containsEntry("project:e", "")
        .containsEntry("owner", "ana");
  }

  @Test
  @DisplayName("set_run_tags(dict) -> Experiment.setTag, setRunTag / deleteRunTag per key")
  void setRunTags() {
    String run = finishedRun("e", tags(Map.of("a", "1", "b", "2")));
    store.setRunTag(run, "a", "changed");
    store.deleteRunTag(run, "b");
    assertThat(store.getRun(run).orElseThrow().tags()).isEqualTo(Map.of("a", "changed"));
  }

  @Test
  @DisplayName("log_dataset(path, name) -> logArtifact(DATASET artifact): SHA-256 fingerprint")
  void logDataset() throws Exception {
    LocalSession s = f.open("e");
    Path data = f.file("iris.csv", "a,b\n1,2\n");
    ArtifactResult r =
        s.logArtifact(
            new TraceletArtifact("iris", ArtifactType.DATASET, "training data")
                .addFile(data, null, null));
    TraceletArtifact back = s.getArtifact("iris", "latest").orElseThrow();
    s.close(RunStatus.FINISHED);
    assertThat(back.files().get(0).checksum()).isEqualTo(TraceletArtifact.sha256(data));
    assertThat(r.version()).hasSize(64);
  }

  @Test
  @DisplayName("log_dvc_input(path, name) -> TraceletArtifact.addReference(uri) + logArtifact")
  void logDvcInput() {
    LocalSession s = f.open("e");
    s.logArtifact(
        new TraceletArtifact("raw", ArtifactType.DATASET, null)
            .addReference(URI.create("s3://bucket/raw.parquet"), 1024L, "dvc-tracked"));
    TraceletArtifact back = s.getArtifact("raw", null).orElseThrow();
    s.close(RunStatus.FINISHED);
    assertThat(back.references()).hasSize(1);
    assertThat(back.references().get(0).uri()).hasToString("s3://bucket/raw.parquet");
    assertThat(back.references().get(0).sizeBytes()).isEqualTo(1024L);
  }

  @Test
  @DisplayName("log_input_run(name, run_id, artifact) -> Experiment.setTag(\"input.<name>\", ..)")
  void logInputRun() {
    String upstream = finishedRun("e");
    String run = finishedRun("e", tags(Map.of("input.features", upstream + "/features.csv")));
    assertThat(store.getRun(run).orElseThrow().tags())
        .containsEntry("input.features", upstream + "/features.csv");
  }

  private String runWithModel(String name, String content) {
    LocalSession s = f.open("e");
    s.logArtifact(
        new TraceletArtifact(name, ArtifactType.MODEL, null)
            .addFile(f.file(name + "-" + content, content), name, null));
    s.close(RunStatus.FINISHED);
    return s.runId();
  }

  /** Reads artifacts back through a resumed session, as the runtime's getArtifact does. */
  private record LocalSessionReader(StoreFixture f) {
    List<TraceletArtifact> artifacts(String runId, ArtifactType type) {
      LocalSession s = f.open(f.context("e").withRunId(runId).resuming());
      try {
        return s.listArtifacts(type);
      } finally {
        s.close(RunStatus.FINISHED);
      }
    }
  }
}
