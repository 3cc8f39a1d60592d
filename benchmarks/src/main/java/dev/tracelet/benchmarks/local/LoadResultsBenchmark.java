package dev.tracelet.benchmarks.local;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.store.ResultsTable;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.api.store.Sort;
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

/**
 * {@code loadResults} over an experiment of 10,000 finished runs, each with 5 parameters and 5
 * metrics of 10 points (target: under 500 ms), unsorted and sorted by a metric.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class LoadResultsBenchmark {
  static final int RUNS = 10_000;

  RunStore store;

  @Setup
  public void logRuns() throws Exception {
    Path dir = Files.createTempDirectory("tracelet-results").resolve("store");
    LocalBackendPlugin plugin = new LocalBackendPlugin();
    BenchContext first = null;
    for (int r = 0; r < RUNS; r++) {
      BenchContext ctx = BenchContext.newRun(dir, "results");
      if (first == null) {
        first = ctx;
      }
      BackendSession s = plugin.open(ctx);
      List<ParamEvent> params =
          List.of(
              new ParamEvent("lr", 1e-3 * (1 + r % 7)),
              new ParamEvent("batch_size", (long) (32 << (r % 3))),
              new ParamEvent("optimizer", r % 2 == 0 ? "adam" : "sgd"),
              new ParamEvent("layers", (long) (2 + r % 5)),
              new ParamEvent("dropout", 0.1 * (r % 4)));
      List<MetricEvent> metrics = new ArrayList<>();
      long ts = System.currentTimeMillis();
      for (int step = 0; step < 10; step++) {
        for (String m : List.of("loss", "acc", "val_loss", "val_acc", "lr_now")) {
          metrics.add(new MetricEvent(m, Math.random(), step, ts + step));
        }
      }
      s.log(new EventBatch(metrics, params, List.of()));
      s.close(RunStatus.FINISHED);
    }
    store = plugin.openStore(first).orElseThrow();
    if (store.loadResults("results", Sort.none()).rows().size() != RUNS) {
      throw new IllegalStateException("runs missing");
    }
  }

  @Benchmark
  public ResultsTable loadResults() {
    return store.loadResults("results", Sort.none());
  }

  @Benchmark
  public ResultsTable loadResultsSortedByMetric() {
    return store.loadResults("results", Sort.by("metric.val_acc").descending());
  }
}
