package dev.tracelet.plugin.mlflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.ModelVersionNotFoundException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
import dev.tracelet.http.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a real MLflow server: what Tracelet logs is read back through MLflow's own REST API (not
 * through this plugin's read side), point by point and byte by byte. Start the server with {@code
 * .ci/mlflow-server.sh start} and export its URI as {@code TRACELET_IT_MLFLOW_URI}; without it the
 * tests are skipped with a message saying so.
 */
class MlflowServerIT {
  private static String uri;
  private static final HttpClient RAW = HttpClient.newHttpClient();
  private static final JsonCodec JSON = new JsonCodec();

  @TempDir Path scratch;

  @BeforeAll
  static void server() {
    uri = System.getenv("TRACELET_IT_MLFLOW_URI");
    if (uri == null || uri.isBlank()) {
      System.out.println(
          "MlflowServerIT SKIPPED: no MLflow server configured. Run `.ci/mlflow-server.sh start`"
              + " and export TRACELET_IT_MLFLOW_URI=<printed URI> to run these tests.");
    }
  }

  /** Per test, so that each one is reported as skipped rather than silently absent. */
  @org.junit.jupiter.api.BeforeEach
  void requireServer() {
    Assumptions.assumeTrue(
        uri != null && !uri.isBlank(),
        "TRACELET_IT_MLFLOW_URI is not set: no real MLflow server to test against"
            + " (start one with .ci/mlflow-server.sh start)");
  }

  /** MLflow's own answer to a GET, bypassing the plugin. */
  private static JsonNode mlflowGet(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<byte[]> r =
        RAW.send(
            HttpRequest.newBuilder(URI.create(uri + "/api/2.0/" + pathAndQuery)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode())
        .as("GET %s: %s", pathAndQuery, new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    return JSON.read(r.body());
  }

  private static byte[] mlflowBytes(String path) throws IOException, InterruptedException {
    HttpResponse<byte[]> r =
        RAW.send(
            HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow-artifacts/artifacts/" + path))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void everyMetricParamTagAndArtifactByteArrives() throws Exception {
    TestContext ctx = TestContext.of(uri, "it-" + System.nanoTime(), scratch);
    MlflowBackendPlugin plugin = new MlflowBackendPlugin();
    MlflowSession session = (MlflowSession) plugin.open(ctx);

    // 2,500 points over 3 metrics with every kind of double, in uneven batches.
    List<MetricEvent> all = new ArrayList<>();
    Random rnd = new Random(42);
    long t0 = 1_700_000_000_000L;
    for (int step = 0; step < 834; step++) {
      for (String key : List.of("loss", "acc", "val/odd")) {
        double v =
            step == 5
                ? Double.NaN
                : step == 6
                    ? Double.POSITIVE_INFINITY
                    : step == 7 ? Double.NEGATIVE_INFINITY : rnd.nextGaussian();
        all.add(new MetricEvent(key, v, step, t0 + step));
      }
    }
    for (int from = 0; from < all.size(); from += 1_234) {
      session.log(EventBatch.ofMetrics(all.subList(from, Math.min(all.size(), from + 1_234))));
    }
    Map<String, Object> params = new LinkedHashMap<>();
    List<ParamEvent> ps = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      ps.add(new ParamEvent("p" + i, i));
      params.put("p" + i, String.valueOf(i));
    }
    ps.add(new ParamEvent("long", "x".repeat(7_000)));
    session.log(
        new EventBatch(
            List.of(), ps, List.of(new TagEvent("phase", "train"), new TagEvent("phase", "eval"))));
    // The same params again (as a dispatcher retry would send them): MLflow takes equal values.
    session.log(new EventBatch(List.of(), ps.subList(0, 10), List.of()));
    session.log(
        new EventBatch(List.of(new MetricEvent("bad key!", 1, 0, t0)), List.of(), List.of()));

    Path dir = Files.createDirectories(scratch.resolve("model"));
    byte[] weights = new byte[3 * 1024 * 1024 + 17];
    rnd.nextBytes(weights);
    Files.write(dir.resolve("weights.bin"), weights);
    Files.writeString(dir.resolve("config.json"), "{\"layers\":3}");
    TraceletArtifact model =
        new TraceletArtifact("model", ArtifactType.MODEL, "a model")
            .addFile(dir.resolve("weights.bin"), "weights.bin", null)
            .addFile(dir.resolve("config.json"), "conf/config.json", null);
    ArtifactResult result = session.logArtifact(model);
    String runId = session.mlflowRunId();
    session.close(RunStatus.FINISHED);

    assertThat(result.uri())
        .startsWith("mlflow-artifacts:/")
        .endsWith("/" + runId + "/artifacts/model");

    JsonNode run = mlflowGet("mlflow/runs/get?run_id=" + runId).path("run");
    assertThat(run.path("info").path("status").asText()).isEqualTo("FINISHED");
    assertThat(run.path("info").path("end_time").asLong()).isPositive();
    Map<String, String> tags = MlflowTracking.keyValues(run.path("data").path("tags"));
    assertThat(tags)
        .containsEntry("tracelet.run_id", ctx.runId())
        .containsEntry("mlflow.runName", ctx.experimentName())
        .containsEntry("mlflow.source.type", "LOCAL")
        .containsEntry("team", "vision")
        .containsEntry("stage", "dev")
        .containsEntry("baseline", "")
        .containsEntry("phase", "eval")
        .containsKeys("mlflow.user", "mlflow.source.name");
    Map<String, String> gotParams = MlflowTracking.keyValues(run.path("data").path("params"));
    assertThat(gotParams).containsAllEntriesOf(toStrings(params));
    assertThat(gotParams.get("long")).hasSize(6_000);
    assertThat(ctx.recorder().at(System.Logger.Level.WARNING))
        .anyMatch(l -> l.contains("'long'") && l.contains("truncated"))
        .anyMatch(l -> l.contains("'bad key!'"));

    for (String key : List.of("loss", "acc", "val/odd")) {
      JsonNode history =
          mlflowGet(
              "mlflow/metrics/get-history?run_id="
                  + runId
                  + "&metric_key="
                  + enc(key)
                  + "&max_results=25000");
      List<MetricEvent> expected = all.stream().filter(m -> m.name().equals(key)).toList();
      assertThat(history.path("metrics")).hasSize(expected.size());
      Map<Long, Double> byStep = new LinkedHashMap<>();
      history
          .path("metrics")
          .forEach(m -> byStep.put(m.path("step").asLong(), JsonCodec.readDouble(m.path("value"))));
      for (MetricEvent e : expected) {
        double got = byStep.get(e.step());
        if (Double.isInfinite(e.value())) {
          // SQL stores keep infinities as the largest finite double of that sign.
          assertThat(got).isEqualTo(Math.copySign(Double.MAX_VALUE, e.value()));
        } else {
          assertThat(Double.valueOf(got))
              .as("%s step %d", key, e.step())
              .isEqualTo(Double.valueOf(e.value()));
        }
      }
    }

    String base = URI.create(run.path("info").path("artifact_uri").asText()).getPath().substring(1);
    assertThat(mlflowBytes(base + "/model/weights.bin")).isEqualTo(weights);
    assertThat(new String(mlflowBytes(base + "/model/conf/config.json"), StandardCharsets.UTF_8))
        .isEqualTo("{\"layers\":3}");
  }

  private static Map<String, String> toStrings(Map<String, Object> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  @Test
  void readSideAndModelRegistryAnswerLikeTheLocalStore() throws Exception {
    TestContext ctx = TestContext.of(uri, "it-read-" + System.nanoTime(), scratch);
    MlflowBackendPlugin plugin = new MlflowBackendPlugin();
    BackendSession session = plugin.open(ctx);
    List<MetricEvent> points = new ArrayList<>();
    for (int i = 0; i < 30_000; i++) {
      points.add(new MetricEvent("loss", 1.0 / (i + 1), i, 1_700_000_000_000L + i));
    }
    session.log(
        new EventBatch(points.subList(0, 5_000), List.of(new ParamEvent("lr", 0.01)), List.of()));
    for (int from = 5_000; from < points.size(); from += 5_000) {
      session.log(EventBatch.ofMetrics(points.subList(from, from + 5_000)));
    }
    Path file = scratch.resolve("model.ser");
    Files.write(file, new byte[] {1, 2, 3, 4});
    session.logArtifact(
        new TraceletArtifact("clf", ArtifactType.MODEL, null).addFile(file, null, null));
    session.close(RunStatus.FAILED);

    RunStore store = plugin.openStore(ctx).orElseThrow();
    try {
      RunDetails details = store.getRun(ctx.runId()).orElseThrow(); // Tracelet's id works too
      assertThat(details.info().status()).isEqualTo(RunStatus.FAILED);
      assertThat(details.params()).containsEntry("lr", "0.01");
      assertThat(details.metrics()).containsEntry("loss", 1.0 / 30_000);
      assertThat(details.artifacts()).contains("clf/model.ser");
      // more points than one page of get-history
      List<MetricPoint> history = store.metricHistory(details.info().runId(), "loss");
      assertThat(history).hasSize(30_000);
      assertThat(history.get(29_999))
          .isEqualTo(new MetricPoint(29_999, 1_700_000_029_999L, 1.0 / 30_000));
      assertThat(store.experimentRuns(ctx.project(), Sort.by("start_time").descending()))
          .extracting(r -> r.runId())
          .containsExactly(details.info().runId());
      assertThat(store.loadResults(ctx.project(), Sort.none()).columns())
          .contains("param.lr", "metric.loss");
      assertThat(Files.readAllBytes(store.artifactPath(ctx.runId(), "clf/model.ser")))
          .containsExactly(1, 2, 3, 4);

      ModelRegistry registry = store.registry();
      String model = "it-model-" + System.nanoTime();
      assertThat(registry.registerModel(ctx.runId(), "clf", model, Map.of("owner", "it")))
          .isEqualTo("1");
      assertThat(registry.registerModel(ctx.runId(), "clf", model, Map.of())).isEqualTo("2");
      registry.setAlias(model, "champion", "1");
      registry.addModelTags(model, "champion", Map.of("stage", "prod"));
      assertThat(registry.modelTags(model, "1"))
          .containsEntry("owner", "it")
          .containsEntry("stage", "prod");
      List<ModelVersion> versions = registry.modelVersions(model, Sort.none());
      assertThat(versions).extracting(ModelVersion::version).containsExactly("2", "1");
      assertThat(versions.get(1).aliases()).containsExactly("champion");
      assertThat(versions.get(1).sourceRunId()).isEqualTo(details.info().runId());
      assertThat(registry.listRegisteredModels()).contains(model);
      Path loaded = registry.loadRegisteredModel(model, "latest");
      assertThat(Files.readAllBytes(loaded.resolve("model.ser"))).containsExactly(1, 2, 3, 4);
      assertThatThrownBy(() -> registry.modelTags(model, "nosuchalias"))
          .isInstanceOf(ModelVersionNotFoundException.class);

      JsonNode viaMlflow =
          mlflowGet("mlflow/model-versions/get?name=" + enc(model) + "&version=1")
              .path("model_version");
      assertThat(viaMlflow.path("status").asText()).isEqualTo("READY");
      assertThat(viaMlflow.path("source").asText())
          .isEqualTo("runs:/" + details.info().runId() + "/clf");
    } finally {
      MlflowBackendPlugin.closeStores();
    }
  }

  @Test
  void concurrentCreatorsShareOneExperiment() throws Exception {
    String name = "it-race-" + System.nanoTime();
    MlflowConfig config = MlflowConfig.from(Map.of("tracking_uri", uri));
    List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Thread t =
          new Thread(
              () -> {
                try (MlflowApi api = MlflowApi.open(config, System.getLogger("it"), "race")) {
                  go.await();
                  ids.add(new MlflowTracking(api).getOrCreateExperiment(name));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertThat(ids).hasSize(4).containsOnly(ids.get(0));
  }
}
