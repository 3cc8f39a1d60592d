package dev.tracelet.benchmarks.local;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.plugin.local.LocalBackendPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * End-to-end ingest into the local store: one session takes 10 million metric points (10 keys) in
 * batches of the size the backend advertises, as the dispatcher's worker would deliver them.
 * Building the batches is timed too: it is part of what the worker does.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar
 * dev.tracelet.benchmarks.local.LocalIngestHarness [points] [store dir]}
 */
public final class LocalIngestHarness {
  private LocalIngestHarness() {}

  public static void main(String[] args) throws IOException {
    long total = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path dir =
        args.length > 1
            ? Path.of(args[1])
            : Files.createTempDirectory("tracelet-ingest").resolve("store");
    int keys = 10;
    LocalBackendPlugin plugin = new LocalBackendPlugin();
    BackendSession session = plugin.open(BenchContext.newRun(dir, "ingest"));
    int batchSize = session.capabilities().maxBatchEvents();
    long start = System.nanoTime();
    long halfway = 0;
    long sent = 0;
    long window = 1_000_000;
    long windowStart = start;
    double worstWindow = Double.MAX_VALUE;
    StringBuilder windows = new StringBuilder();
    long ts = System.currentTimeMillis();
    while (sent < total) {
      int n = (int) Math.min(batchSize, total - sent);
      List<MetricEvent> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long p = sent + i;
        batch.add(
            new MetricEvent("metric_" + (p % keys), Math.sin(p * 1e-3), p / keys, ts + p / 100));
      }
      session.log(EventBatch.ofMetrics(batch));
      sent += n;
      if (halfway == 0 && sent >= total / 2) {
        halfway = System.nanoTime();
      }
      if (sent % window == 0) {
        long now = System.nanoTime();
        double rate = window / ((now - windowStart) / 1e9);
        worstWindow = Math.min(worstWindow, rate);
        windows.append(String.format(" %.2fM", rate / 1e6));
        windowStart = now;
      }
    }
    long end = System.nanoTime();
    session.close(RunStatus.FINISHED);
    double seconds = (end - start) / 1e9;
    double secondHalf = (end - halfway) / 1e9;
    long bytes;
    try (Stream<Path> files = Files.list(dir)) {
      bytes = files.mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf(
        "ingested %,d points (%d keys, batches of %,d) in %.2f s: %,.0f points/s overall,"
            + " %,.0f points/s over the second half; store %,d bytes (%.1f bytes/point)%n",
        total,
        keys,
        batchSize,
        seconds,
        total / seconds,
        (total - total / 2) / secondHalf,
        bytes,
        (double) bytes / total);
    System.out.printf(
        "per 1M-point window (points/s):%s; worst window %,.0f points/s%n", windows, worstWindow);
  }
}
