package dev.tracelet.benchmarks.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The outage experiment of BENCHMARKS.md: a training loop logs {@code points} metric points at a
 * steady rate through {@link TraceletEngine} and the MLflow plugin (loaded from a plugins folder,
 * as a user's process loads it) into a real MLflow server, in two modes run one after the other in
 * the same process:
 *
 * <ul>
 *   <li>{@code up}: the server runs throughout; the caller's {@code logMetric} latency is sampled.
 *       Delivery is not waited for (the run ends with a short deadline; what is left is discarded
 *       with its journal).
 *   <li>{@code outage}: the server is stopped (nothing listens on its port) while the first half is
 *       logged and started when the second half begins; the run then ends with a long deadline, and
 *       every point is read back through MLflow's REST API ({@code metrics/get-history}) and
 *       counted: each (metric, step) must be there exactly once with its value.
 * </ul>
 *
 * <p>Prints the caller's latency percentiles (every 64th call timed with {@code System.nanoTime}),
 * the largest heap use seen (sampled every 50 ms) and the largest heap in use after a collection,
 * and the delivery report.
 *
 * <pre>
 * java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.tracelet.benchmarks.mlflow.OutageExperiment \
 *     MLFLOW_BIN PLUGINS_DIR WORK_DIR [points=10000000] [points_per_second=100000]
 * </pre>
 */
public final class OutageExperiment {
  private static final int METRICS = 10;
  private static final ObjectMapper JSON = new ObjectMapper();

  private OutageExperiment() {}

  public static void main(String[] args) throws Exception {
    Path mlflow = Path.of(args[0]);
    Path plugins = Path.of(args[1]);
    Path work = Files.createDirectories(Path.of(args[2]));
    long points = args.length > 3 ? Long.parseLong(args[3]) : 10_000_000L;
    long rate = args.length > 4 ? Long.parseLong(args[4]) : 100_000L;
    System.out.printf(
        "points=%d rate=%d/s metrics=%d max heap=%d MB%n",
        points, rate, METRICS, Runtime.getRuntime().maxMemory() >> 20);

    int port = freePort();
    Server server = new Server(mlflow, work, port);
    try {
      server.start();
      Result up = run("up", work, plugins, port, points, rate, null, Duration.ofSeconds(10));
      server.stop();
      Result outage = run("outage", work, plugins, port, points, rate, server, Duration.ofHours(1));
      System.out.printf(
          "%ncaller median: up %d ns, outage %d ns; p99: up %d ns, outage %d ns%n",
          up.median, outage.median, up.p99, outage.p99);
      verify(port, outage.runId, points);
    } finally {
      server.stop();
    }
  }

  private record Result(String runId, long median, long p99) {}

  private static Result run(
      String mode,
      Path work,
      Path plugins,
      int port,
      long points,
      long rate,
      Server startHalfway,
      Duration deadline)
      throws Exception {
    Path dir = Files.createDirectories(work.resolve(mode));
    Map<String, String> props = new HashMap<>();
    props.put("tracelet.plugins_dir", plugins.toString());
    props.put("tracelet.journal_dir", dir.resolve("journal").toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.track_git", "false");
    props.put("tracelet.track_env", "false");
    props.put("tracelet.shutdown_timeout", deadline.toSeconds() + "s");
    Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", "http://127.0.0.1:" + port);
    HeapWatch heap = new HeapWatch();
    heap.start();
    long[] samples = new long[(int) (points / 64) + 1];
    int n = 0;
    DeliveryReport report;
    String runId;
    long loggingNanos;
    try (TraceletEngine engine =
        TraceletEngine.create(new SettingsSources(env, props, dir, null))) {
      Experiment exp =
          engine.startExperiment(StartOptions.builder("outage-" + mode).backends("mlflow").build());
      runId = exp.id();
      long nanosPerPoint = TimeUnit.SECONDS.toNanos(1) / rate;
      long start = System.nanoTime();
      long half = points / 2;
      long steps = points / METRICS;
      long i = 0;
      for (long step = 0; step < steps; step++) {
        for (int k = 0; k < METRICS; k++, i++) {
          double value = step * 0.001 + k;
          if ((i & 63) == 0) {
            long t0 = System.nanoTime();
            exp.logMetric(METRIC_NAMES[k], value, step);
            samples[n++] = System.nanoTime() - t0;
          } else {
            exp.logMetric(METRIC_NAMES[k], value, step);
          }
        }
        if (i == half && startHalfway != null) {
          // Started on another thread: the training loop must not wait for it either.
          Thread t = new Thread(startHalfway::startUnchecked, "start-mlflow");
          t.setDaemon(true);
          t.start();
          System.out.printf("%s: %d points logged with the server down; starting it%n", mode, i);
        }
        if ((step & 127) == 0) {
          long due = start + i * nanosPerPoint;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
        }
      }
      loggingNanos = System.nanoTime() - start;
      System.out.printf(
          "%s: logged %d points in %.1f s; report before end: %s%n",
          mode, i, loggingNanos / 1e9, ((DefaultExperiment) exp).deliveryReport());
      long endStart = System.nanoTime();
      report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
      System.out.printf(
          "%s: end took %.1f s: %s%n", mode, (System.nanoTime() - endStart) / 1e9, report);
    } finally {
      heap.stop();
    }
    long[] s = Arrays.copyOf(samples, n);
    Arrays.sort(s);
    long median = s[s.length / 2];
    long p99 = s[(int) (s.length * 0.99)];
    long p999 = s[(int) (s.length * 0.999)];
    System.out.printf(
        "%s: caller logMetric latency over %d samples: median %d ns, p99 %d ns, p99.9 %d ns,"
            + " max %d ns%n",
        mode, s.length, median, p99, p999, s[s.length - 1]);
    System.out.printf(
        "%s: heap: largest seen %d MB, largest after a collection %d MB%n",
        mode, heap.maxUsed.get() >> 20, heap.maxAfterGc() >> 20);
    return new Result(runId, median, p99);
  }

  private static final String[] METRIC_NAMES = new String[METRICS];

  static {
    for (int k = 0; k < METRICS; k++) {
      METRIC_NAMES[k] = "m" + k;
    }
  }

  /** Reads every metric's history back and checks each step is there exactly once. */
  private static void verify(int port, String traceletRunId, long points) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port + "/api/2.0/mlflow/";
    JsonNode search =
        post(
            http,
            base + "runs/search",
            JSON.createObjectNode()
                .put("filter", "tags.`tracelet.run_id` = '" + traceletRunId + "'")
                .set("experiment_ids", JSON.createArrayNode().addAll(experimentIds(http, base))));
    String mlflowRun = search.path("runs").get(0).path("info").path("run_id").asText();
    long steps = points / METRICS;
    long total = 0;
    long duplicates = 0;
    long wrong = 0;
    for (int k = 0; k < METRICS; k++) {
      byte[] seen = new byte[(int) steps];
      String token = null;
      do {
        String url =
            base
                + "metrics/get-history?run_id="
                + mlflowRun
                + "&metric_key="
                + METRIC_NAMES[k]
                + "&max_results=25000"
                + (token == null
                    ? ""
                    : "&page_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        JsonNode page = get(http, url);
        for (JsonNode m : page.path("metrics")) {
          int step = (int) m.path("step").asLong();
          if (seen[step]++ > 0) {
            duplicates++;
          }
          if (Math.abs(m.path("value").asDouble() - (step * 0.001 + k)) > 1e-9) {
            wrong++;
          }
          total++;
        }
        token = page.hasNonNull("next_page_token") ? page.get("next_page_token").asText() : null;
      } while (token != null && !token.isEmpty());
      long missing = 0;
      for (byte b : seen) {
        if (b == 0) {
          missing++;
        }
      }
      System.out.printf("verify %s: %d steps, %d missing%n", METRIC_NAMES[k], steps, missing);
    }
    System.out.printf(
        "verify: MLflow run %s holds %d points of %d logged; %d duplicates, %d wrong values%n",
        mlflowRun, total, points, duplicates, wrong);
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode experimentIds(
      HttpClient http, String base) throws Exception {
    JsonNode r =
        post(http, base + "experiments/search", JSON.createObjectNode().put("max_results", 1000));
    var ids = JSON.createArrayNode();
    r.path("experiments").forEach(e -> ids.add(e.path("experiment_id").asText()));
    return ids;
  }

  private static JsonNode get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static JsonNode post(HttpClient http, String url, JsonNode body) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(url + " -> " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Samples heap use; reads the heap pools' largest use after a collection at the end. */
  private static final class HeapWatch {
    final AtomicLong maxUsed = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread =
        new Thread(
            () -> {
              var mem = ManagementFactory.getMemoryMXBean();
              while (running) {
                long used = mem.getHeapMemoryUsage().getUsed();
                maxUsed.accumulateAndGet(used, Math::max);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
              }
            },
            "heap-watch");

    void start() {
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported()) {
          p.resetPeakUsage();
        }
      }
      System.gc();
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    /** The sum over heap pools of their use right after the last collection, at its largest. */
    long maxAfterGc() {
      long sum = 0;
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null) {
          sum += p.getCollectionUsage().getUsed();
        }
      }
      return sum;
    }
  }

  /** A real MLflow server on a fixed port, stopped by killing its process tree. */
  private static final class Server {
    private final Path mlflow;
    private final Path work;
    private final int port;
    private Process process;

    Server(Path mlflow, Path work, int port) {
      this.mlflow = mlflow;
      this.work = work;
      this.port = port;
    }

    void startUnchecked() {
      try {
        start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    synchronized void start() throws Exception {
      Files.createDirectories(work.resolve("artifacts"));
      ProcessBuilder pb =
          new ProcessBuilder(
              mlflow.toString(),
              "server",
              "--backend-store-uri",
              "sqlite:///" + work.resolve("mlflow.db").toAbsolutePath(),
              "--artifacts-destination",
              work.resolve("artifacts").toAbsolutePath().toString(),
              "--serve-artifacts",
              "--host",
              "127.0.0.1",
              "--port",
              Integer.toString(port),
              "--workers",
              "1");
      pb.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
      pb.redirectErrorStream(true);
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("server.log").toFile()));
      process = pb.start();
      HttpClient http = HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (true) {
        try {
          if (http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode()
              == 200) {
            System.out.printf("MLflow serving on port %d%n", port);
            return;
          }
        } catch (IOException e) {
          // not up yet
        }
        if (System.nanoTime() > deadline || !process.isAlive()) {
          throw new IllegalStateException(
              "MLflow did not start; see " + work.resolve("server.log"));
        }
        Thread.sleep(250);
      }
    }

    synchronized void stop() throws InterruptedException {
      if (process == null) {
        return;
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor();
      process = null;
      System.out.println("MLflow stopped");
    }
  }
}
