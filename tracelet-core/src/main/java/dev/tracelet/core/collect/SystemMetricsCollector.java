package dev.tracelet.core.collect;

import dev.tracelet.api.Experiment;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples CPU, memory, thread and GC figures of this JVM and its machine into a run every {@code
 * metrics_interval}, as {@code system/*} metrics. One daemon thread serves every run of the
 * process; sampling reads JMX beans only (no I/O), so it never competes with the training loop for
 * more than a few microseconds per interval.
 */
public final class SystemMetricsCollector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SystemMetricsCollector.class);

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tracelet-system-metrics");
            t.setDaemon(true);
            return t;
          });

  /** Starts sampling into {@code experiment}; closing the result stops it. */
  public AutoCloseable start(Experiment experiment, Duration interval) {
    AtomicLong step = new AtomicLong();
    long period = Math.max(interval.toMillis(), 100);
    ScheduledFuture<?> f =
        scheduler.scheduleAtFixedRate(
            () -> {
              try {
                experiment.logMetrics(sample(), step.getAndIncrement());
              } catch (RuntimeException e) {
                // The run ended between two samples, or a sample failed: never propagate.
                log.debug("system metrics sample skipped: {}", e.toString());
              }
            },
            period,
            period,
            TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  /** One sample of the figures, by metric name. */
  public static Map<String, Double> sample() {
    Map<String, Double> m = new LinkedHashMap<>();
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      putIfKnown(m, "system/cpu_process_percent", sun.getProcessCpuLoad() * 100);
      putIfKnown(m, "system/cpu_machine_percent", sun.getCpuLoad() * 100);
      long total = sun.getTotalMemorySize();
      if (total > 0) {
        m.put("system/memory_used_percent", 100.0 * (total - sun.getFreeMemorySize()) / total);
      }
    }
    putIfKnown(m, "system/load_average", os.getSystemLoadAverage());
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    m.put("system/heap_used_mb", mem.getHeapMemoryUsage().getUsed() / 1048576.0);
    m.put("system/nonheap_used_mb", mem.getNonHeapMemoryUsage().getUsed() / 1048576.0);
    m.put("system/threads", (double) ManagementFactory.getThreadMXBean().getThreadCount());
    long gcMillis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    m.put("system/gc_time_ms", (double) gcMillis);
    return m;
  }

  private static void putIfKnown(Map<String, Double> m, String key, double v) {
    if (v >= 0 && Double.isFinite(v)) {
      m.put(key, v);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
