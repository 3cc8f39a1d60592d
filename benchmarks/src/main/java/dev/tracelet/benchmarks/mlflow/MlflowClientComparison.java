package dev.tracelet.benchmarks.mlflow;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.plugin.mlflow.MlflowBackendPlugin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mlflow.tracking.ActiveRun;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowContext;

/**
 * The same metric workload sent to one real MLflow server twice: with MLflow's Java client ({@code
 * org.mlflow:mlflow-client} 2.17.2, {@code ActiveRun.logMetric}, one request per point) and with
 * Tracelet's MLflow backend. Prints end-to-end time (first call until every point is on the server
 * and the run is ended), caller-side time (what the training loop spends in the logging calls), and
 * the ratios; then checks through MLflow's REST API that both runs hold every point.
 *
 * <p>Until the core runtime is on the class path, Tracelet's side runs the plugin behind a small
 * stand-in for the dispatcher: a bounded queue the caller only enqueues into and one worker that
 * batches what is queued (up to the session's {@code maxBatchEvents}) and calls {@code log}. That
 * is the runtime's design; the plugin does all the MLflow work.
 *
 * <pre>
 * ./mvnw -Pbenchmarks -pl benchmarks -am package -DskipTests
 * java -cp benchmarks/target/benchmarks.jar dev.tracelet.benchmarks.mlflow.MlflowClientComparison \
 *     http://127.0.0.1:5000 [points=100000] [keys=10] [mlflow-client points=points]
 * </pre>
 */
public final class MlflowClientComparison {
  private MlflowClientComparison() {}

  public static void main(String[] args) throws Exception {
    String uri = args.length > 0 ? args[0] : System.getenv("TRACELET_IT_MLFLOW_URI");
    if (uri == null) {
      System.err.println("usage: MlflowClientComparison <tracking uri> [points] [keys]");
      System.exit(2);
    }
    int points = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    // MLflow's client needs one round trip per point (tens of ms on a small machine); it may be
    // measured on fewer points and scaled linearly, which the output then says.
    int clientPoints = args.length > 3 ? Integer.parseInt(args[3]) : points;
    String project = "bench-" + System.currentTimeMillis();
    System.out.printf(
        "workload: %,d points (%d keys x %,d steps) to %s%n", points, keys, points / keys, uri);

    Result tracelet = tracelet(uri, project, points, keys);
    System.out.printf(
        "tracelet     : end-to-end %8.3f s, caller-side %8.3f s%n",
        tracelet.endToEnd, tracelet.caller);
    Result measured = mlflowClient(uri, project, clientPoints, keys);
    double scale = (double) points / clientPoints;
    Result official =
        new Result(measured.runId, measured.endToEnd * scale, measured.caller * scale);
    if (clientPoints != points) {
      System.out.printf(
          "mlflow-client: measured on %,d points: end-to-end %8.3f s, caller-side %8.3f s;"
              + " scaled x%.1f to %,d points:%n",
          clientPoints, measured.endToEnd, measured.caller, scale, points);
    }
    System.out.printf(
        "mlflow-client: end-to-end %8.3f s, caller-side %8.3f s%n",
        official.endToEnd, official.caller);
    System.out.printf(
        "ratio (mlflow-client / tracelet): end-to-end %.1fx, caller-side %.1fx%n",
        official.endToEnd / tracelet.endToEnd, official.caller / tracelet.caller);

    long a = countPoints(uri, tracelet.runId, keys);
    long b = countPoints(uri, official.runId, keys);
    System.out.printf("points on the server: tracelet %,d, mlflow-client %,d%n", a, b);
    if (a != points || b != clientPoints) {
      System.err.println("MISMATCH: a run is missing points");
      System.exit(1);
    }
  }

  record Result(String runId, double endToEnd, double caller) {}

  private static Result mlflowClient(String uri, String project, int points, int keys) {
    MlflowClient client = new MlflowClient(uri);
    MlflowContext context = new MlflowContext(client).setExperimentName(project);
    long start = System.nanoTime();
    ActiveRun run = context.startRun("mlflow-client");
    long callerStart = System.nanoTime();
    int steps = points / keys;
    for (int step = 0; step < steps; step++) {
      for (int k = 0; k < keys; k++) {
        run.logMetric("m" + k, value(step, k), step);
      }
    }
    long callerEnd = System.nanoTime();
    run.endRun();
    long end = System.nanoTime();
    client.close();
    return new Result(run.getId(), seconds(end - start), seconds(callerEnd - callerStart));
  }

  private static Result tracelet(String uri, String project, int points, int keys)
      throws Exception {
    BenchContext ctx =
        new BenchContext(
            Map.of("tracking_uri", uri),
            UUID.randomUUID().toString().replace("-", ""),
            "tracelet",
            project,
            java.time.Instant.now(),
            Files.createTempDirectory("tracelet-bench"));
    long start = System.nanoTime();
    BackendSession session = new MlflowBackendPlugin().open(ctx);
    int maxBatch = session.capabilities().maxBatchEvents();
    // Room for the whole workload: the runtime's caller never waits for the network (it spills to
    // a journal instead), so neither does this stand-in.
    BlockingQueue<MetricEvent> queue = new ArrayBlockingQueue<>(points + 1);
    MetricEvent end = new MetricEvent("<end>", 0, 0, 0);
    Thread worker =
        new Thread(
            () -> {
              List<MetricEvent> batch = new ArrayList<>(maxBatch);
              try {
                while (true) {
                  batch.add(queue.take());
                  queue.drainTo(batch, maxBatch - batch.size());
                  boolean last = batch.get(batch.size() - 1) == end;
                  if (last) {
                    batch.remove(batch.size() - 1);
                  }
                  if (!batch.isEmpty()) {
                    session.log(EventBatch.ofMetrics(batch));
                  }
                  batch = new ArrayList<>(maxBatch);
                  if (last) {
                    return;
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "dispatcher-stand-in");
    worker.start();
    long callerStart = System.nanoTime();
    int steps = points / keys;
    long now = System.currentTimeMillis();
    for (int step = 0; step < steps; step++) {
      for (int k = 0; k < keys; k++) {
        queue.put(new MetricEvent("m" + k, value(step, k), step, now + step));
      }
    }
    long callerEnd = System.nanoTime();
    queue.put(end);
    worker.join(TimeUnit.MINUTES.toMillis(30));
    String runId = mlflowRunId(uri, project);
    session.close(RunStatus.FINISHED);
    long stop = System.nanoTime();
    return new Result(runId, seconds(stop - start), seconds(callerEnd - callerStart));
  }

  private static double value(int step, int k) {
    return Math.exp(-step / 1000.0) + k * 0.01;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String body(String uri, String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/" + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  /** The only run of the project's experiment (the harness creates exactly one). */
  private static String mlflowRunId(String uri, String project) throws Exception {
    String exp =
        body(
            uri,
            "experiments/get-by-name?experiment_name="
                + URLEncoder.encode(project, StandardCharsets.UTF_8));
    Matcher m = Pattern.compile("\"experiment_id\":\\s*\"(\\d+)\"").matcher(exp);
    if (!m.find()) {
      throw new IllegalStateException("experiment not found: " + exp);
    }
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(uri + "/api/2.0/mlflow/runs/search"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"experiment_ids\":[\"" + m.group(1) + "\"],\"max_results\":1}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher id = Pattern.compile("\"run_id\":\\s*\"(\\w+)\"").matcher(r.body());
    if (!id.find()) {
      throw new IllegalStateException("run not found: " + r.body());
    }
    return id.group(1);
  }

  private static long countPoints(String uri, String runId, int keys) throws Exception {
    long total = 0;
    Pattern step = Pattern.compile("\"step\":");
    for (int k = 0; k < keys; k++) {
      String h =
          body(
              uri,
              "metrics/get-history?run_id=" + runId + "&metric_key=m" + k + "&max_results=100000");
      Matcher m = step.matcher(h);
      while (m.find()) {
        total++;
      }
    }
    return total;
  }
}
