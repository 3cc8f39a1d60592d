package dev.tracelet.benchmarks.local;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.plugin.local.LocalBackendPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@code metricHistory} of a one-million-point series (target: under 200 ms). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MetricHistoryBenchmark {
  static final int POINTS = 1_000_000;

  RunStore store;
  String runId;

  @Setup
  public void logSeries() throws Exception {
    Path dir = Files.createTempDirectory("tracelet-history").resolve("store");
    BenchContext ctx = BenchContext.newRun(dir, "history");
    LocalBackendPlugin plugin = new LocalBackendPlugin();
    BackendSession session = plugin.open(ctx);
    int batch = session.capabilities().maxBatchEvents();
    long ts = System.currentTimeMillis();
    for (int from = 0; from < POINTS; from += batch) {
      List<MetricEvent> events = new ArrayList<>(batch);
      for (int i = from; i < Math.min(POINTS, from + batch); i++) {
        events.add(new MetricEvent("loss", 1.0 / (1 + i), i, ts + i / 10));
      }
      session.log(EventBatch.ofMetrics(events));
    }
    session.close(RunStatus.FINISHED);
    store = plugin.openStore(ctx).orElseThrow();
    runId = ctx.runId();
    if (store.metricHistory(runId, "loss").size() != POINTS) {
      throw new IllegalStateException("series incomplete");
    }
  }

  @Benchmark
  public List<MetricPoint> metricHistory() {
    return store.metricHistory(runId, "loss");
  }

  /** The history read and every point visited, as a chart or a summary statistic would. */
  @Benchmark
  public double metricHistoryEveryPointVisited() {
    double sum = 0;
    for (MetricPoint p : store.metricHistory(runId, "loss")) {
      sum += p.value() + p.step() + p.timestamp();
    }
    return sum;
  }
}
