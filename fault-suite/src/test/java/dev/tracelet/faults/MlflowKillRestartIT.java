package dev.tracelet.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One million points of one metric logged through the MLflow plugin (the packaged JAR, loaded from
 * a plugins folder) to a real MLflow server that is killed with SIGKILL — the server and its worker
 * — when 25%, 50% and 75% of the points are logged, and started again on the same port with the
 * same store. After the first two kills it comes back after a pause while logging goes on; after
 * the third it stays down until the training thread has logged the last 250,000 points, so logging
 * finished with the server down. Afterwards MLflow's own REST API ({@code metrics/get-history},
 * page by page) must return every step exactly once with its value, and the run must have finished.
 *
 * <p>Needs an {@code mlflow} executable in {@code TRACELET_IT_MLFLOW_BIN} ({@code .ci/run} exports
 * the one {@code .ci/mlflow-server.sh bin} installs); skipped without it.
 *
 * <p>Pace: the training thread logs 100,000 points a second, more than ten times what MLflow's
 * SQLite store takes (about 9,000 a second on the 2-core machine, 5,500 when it is busy), so the
 * backlog passes half the runtime's queue (sized from {@code queue_memory}) and goes through the
 * journal, whether the server is up or down. Nothing here asserts a speed: the waits are guards.
 */
class MlflowKillRestartIT {
  static final String BIN_VARIABLE = "TRACELET_IT_MLFLOW_BIN";
  static final long POINTS = 1_000_000;
  static final String METRIC = "loss";
  static final int STEADY_PACE = 100_000;
  static final Duration PAUSE = Duration.ofSeconds(2);
  static final Duration GUARD = Duration.ofMinutes(10);

  @TempDir Path tmp;

  private final ObjectMapper json = new ObjectMapper();
  private final long started = System.nanoTime();

  @Test
  @Timeout(value = 30, unit = TimeUnit.MINUTES)
  void everyPointArrivesOnceThoughTheServerIsKilledThreeTimes() throws Exception {
    String bin = System.getenv(BIN_VARIABLE);
    String why =
        BIN_VARIABLE
            + " is not set: no mlflow executable to start servers with. Set it to one (.ci/run"
            + " exports the one that `.ci/mlflow-server.sh bin` installs).";
    if (bin == null || bin.isBlank()) {
      System.out.println("MlflowKillRestartIT SKIPPED: " + why);
    }
    Assumptions.assumeTrue(bin != null && !bin.isBlank(), why);
    assertThat(Path.of(bin)).as("%s", BIN_VARIABLE).isExecutable();

    try (MlflowServerProcess server =
            MlflowServerProcess.start(Path.of(bin), tmp.resolve("mlflow"));
        TraceletEngine engine =
            Engines.create(
                tmp.resolve("work"),
                "mlflow",
                Map.of(
                    "MLFLOW_TRACKING_URI", server.uri(),
                    "MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1",
                    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "0.2",
                    "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", "0.2"),
                Duration.ofMinutes(15))) {
      note("MLflow server up at %s", server.uri());
      Engines.assertLoadedFromPluginJar(engine, "mlflow");
      DefaultExperiment experiment =
          (DefaultExperiment)
              engine.startExperiment(
                  StartOptions.builder("kill-restart").project("fault-suite").build());
      PacedLogger logger = new PacedLogger(experiment, METRIC, POINTS, STEADY_PACE);
      List<CountDownLatch> kills = new ArrayList<>();
      for (long at : new long[] {POINTS / 4, POINTS / 2, POINTS * 3 / 4}) {
        kills.add(logger.holdAt(at));
      }
      logger.start();

      for (int k = 0; k < 2; k++) {
        long at = POINTS * (k + 1) / 4;
        assertThat(logger.awaitLogged(at, GUARD)).as("%d points logged", at).isTrue();
        server.kill();
        note("kill %d at %d points logged", k + 1, logger.logged());
        kills.get(k).countDown();
        Thread.sleep(PAUSE.toMillis());
        server.start();
        note("server back after kill %d; %d points logged", k + 1, logger.logged());
      }

      assertThat(logger.awaitLogged(POINTS * 3 / 4, GUARD)).isTrue();
      server.kill();
      note("kill 3 at %d points logged", logger.logged());
      kills.get(2).countDown();
      note(
          "the runtime %s",
          journaling(experiment, Duration.ofSeconds(5))
              ? "journals the backlog"
              : "keeps the backlog queued (within queue_memory)");
      assertThat(logger.awaitDone(GUARD))
          .as("the training thread logged all %d points while the server was down", POINTS)
          .isTrue();
      assertThat(server.running()).as("the server is still down").isFalse();
      assertThat(logger.logged()).isEqualTo(POINTS);
      assertThat(delivery(experiment.deliveryReport()).dropped()).as("dropped").isZero();
      note("all %d points logged with the server down: %s", POINTS, experiment.deliveryReport());

      Thread.sleep(PAUSE.toMillis());
      server.start();
      note("server back after kill 3");
      DeliveryReport report = experiment.end(RunStatus.FINISHED);
      note("run ended: %s", report);

      BackendDelivery d = delivery(report);
      assertThat(d.dropped()).as("dropped: %s", d).isZero();
      assertThat(d.failed()).as("failed: %s", d).isZero();
      assertThat(d.pending()).as("pending: %s", d).isZero();
      assertThat(d.journaled()).as("journaled: %s", d).isZero();
      assertThat(d.delivered()).as("delivered: %s", d).isEqualTo(POINTS);

      String runId = mlflowRunId(server, experiment.id());
      assertThat(
              json.readTree(server.get("/api/2.0/mlflow/runs/get?run_id=" + runId))
                  .path("run")
                  .path("info")
                  .path("status")
                  .asText())
          .isEqualTo("FINISHED");
      assertEveryStepOnce(server, runId);
      note("history read back: every step once");
    }
  }

  /**
   * Whether the runtime journals the dead server's events within {@code timeout} (then its queue no
   * longer fills, whatever the pace).
   */
  private static boolean journaling(DefaultExperiment experiment, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (delivery(experiment.deliveryReport()).journaled() == 0) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  private static BackendDelivery delivery(DeliveryReport report) {
    return report.backends().stream()
        .filter(b -> b.backend().equals("mlflow"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no MLflow figures: " + report));
  }

  private String mlflowRunId(MlflowServerProcess server, String traceletRunId) throws Exception {
    String experimentId =
        json.readTree(
                server.get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=fault-suite"))
            .path("experiment")
            .path("experiment_id")
            .asText();
    JsonNode runs =
        json.readTree(
                server.post(
                    "/api/2.0/mlflow/runs/search",
                    json.createObjectNode()
                        .put("filter", "tags.`tracelet.run_id` = '" + traceletRunId + "'")
                        .set("experiment_ids", json.createArrayNode().add(experimentId))
                        .toString()))
            .path("runs");
    assertThat(runs).as("MLflow runs of Tracelet run %s", traceletRunId).hasSize(1);
    return runs.get(0).path("info").path("run_id").asText();
  }

  /** Reads the whole history through {@code metrics/get-history}, 100,000 points a page. */
  private void assertEveryStepOnce(MlflowServerProcess server, String runId) throws Exception {
    int[] seen = new int[(int) POINTS];
    long rows = 0;
    long wrong = 0;
    long outside = 0;
    List<String> examples = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String q =
          "/api/2.0/mlflow/metrics/get-history?run_id="
              + runId
              + "&metric_key="
              + METRIC
              + "&max_results=100000"
              + (token == null
                  ? ""
                  : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      JsonNode page = json.readTree(server.get(q));
      pages++;
      for (JsonNode m : page.path("metrics")) {
        rows++;
        long step = m.path("step").asLong(-1);
        if (step < 0 || step >= POINTS) {
          outside++;
          continue;
        }
        seen[(int) step]++;
        if (m.path("value").asDouble() != PacedLogger.value(step)) {
          wrong++;
          if (examples.size() < 5) {
            examples.add("step " + step + " holds " + m.path("value"));
          }
        }
      }
      token = page.path("next_page_token").asText(null);
    } while (token != null && !token.isEmpty());
    long missing = 0;
    long twice = 0;
    for (int s = 0; s < seen.length; s++) {
      if (seen[s] == 0) {
        missing++;
        if (examples.size() < 10) {
          examples.add("step " + s + " missing");
        }
      } else if (seen[s] > 1) {
        twice++;
        if (examples.size() < 10) {
          examples.add("step " + s + " held " + seen[s] + " times");
        }
      }
    }
    note("read %d points in %d pages", rows, pages);
    assertThat(List.of(missing, twice, wrong, outside))
        .as("missing, duplicated, wrong and unexpected steps, e.g. %s", examples)
        .containsExactly(0L, 0L, 0L, 0L);
    assertThat(rows).isEqualTo(POINTS);
  }

  private void note(String format, Object... args) {
    System.out.printf(
        "[MlflowKillRestartIT %5.1f s] %s%n",
        (System.nanoTime() - started) / 1e9, String.format(format, args));
  }
}
