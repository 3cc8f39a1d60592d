package dev.tracelet.benchmarks;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@code Experiment.logMetric} on the caller's thread, with 1 and 3 backends attached
 * and 1 and 4 calling threads. Backends consume on their own workers (they discard what they
 * receive), so the figure is what the training loop pays. Sample mode reports the median and the
 * tail per call. A naive peer, one {@link ArrayBlockingQueue} per backend (a lock per offer), runs
 * in the same session for a ratio.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar LogMetricBenchmark}
 */
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class LogMetricBenchmark {
  @Param({"1", "3"})
  public int backends;

  private TraceletEngine engine;
  private Experiment experiment;
  private final List<ArrayBlockingQueue<Object>> naiveQueues = new ArrayList<>();
  private final List<Thread> naiveConsumers = new ArrayList<>();
  private volatile boolean naiveRunning;
  static final LongAdder DISCARDED = new LongAdder();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path work = Files.createTempDirectory("tracelet-bench");
    Map<String, String> props = new HashMap<>();
    props.put("tracelet.plugins_dir", work.resolve("none").toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.queue_memory", "256MB");
    // The caller's path is what is measured; a journal would only add disk traffic behind it.
    props.put("tracelet.journal_dir", "off");
    props.put("tracelet.batch_size", "10000");
    engine = TraceletEngine.create(new SettingsSources(Map.of(), props, work, null));
    String[] names = new String[backends];
    for (int i = 0; i < backends; i++) {
      names[i] = "discard" + i;
      DiscardingBackend b = new DiscardingBackend(names[i]);
      engine
          .registry()
          .register(
              new RegisteredBackend(names[i], b, getClass().getClassLoader(), null, "benchmark"));
    }
    experiment = engine.startExperiment(StartOptions.builder("bench").backends(names).build());

    naiveRunning = true;
    for (int i = 0; i < backends; i++) {
      ArrayBlockingQueue<Object> q = new ArrayBlockingQueue<>(1 << 20);
      naiveQueues.add(q);
      Thread t =
          new Thread(
              () -> {
                List<Object> sink = new ArrayList<>(10_000);
                while (naiveRunning) {
                  try {
                    Object first = q.poll(10, TimeUnit.MILLISECONDS);
                    if (first != null) {
                      q.drainTo(sink, 9_999);
                      sink.clear();
                    }
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
      naiveConsumers.add(t);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    DeliveryReport report = ((DefaultExperiment) experiment).end(RunStatus.FINISHED);
    System.out.println();
    System.out.println("# delivery: " + report);
    engine.close();
    naiveRunning = false;
  }

  @State(Scope.Thread)
  public static class Step {
    long step;
  }

  @Benchmark
  @Threads(1)
  public void logMetric_1thread(Step s) {
    experiment.logMetric("train/loss", 0.5, s.step++);
  }

  @Benchmark
  @Threads(4)
  public void logMetric_4threads(Step s) {
    experiment.logMetric("train/loss", 0.5, s.step++);
  }

  @Benchmark
  @Threads(1)
  public void naiveBlockingQueue_1thread(Step s) {
    naiveOffer(s);
  }

  @Benchmark
  @Threads(4)
  public void naiveBlockingQueue_4threads(Step s) {
    naiveOffer(s);
  }

  private void naiveOffer(Step s) {
    Object e =
        new dev.tracelet.api.plugin.MetricEvent(
            "train/loss", 0.5, s.step++, System.currentTimeMillis());
    for (int i = 0; i < naiveQueues.size(); i++) {
      naiveQueues.get(i).offer(e);
    }
  }

  /** Accepts everything and keeps nothing, so the benchmark measures Tracelet, not a store. */
  static final class DiscardingBackend implements BackendPlugin {
    private final String name;

    DiscardingBackend(String name) {
      this.name = name;
    }

    @Override
    public PluginMetadata metadata() {
      return new PluginMetadata(name, "1.0.0", "discards events", PluginType.BACKEND);
    }

    @Override
    public BackendSession open(BackendContext context) {
      return new BackendSession() {
        @Override
        public BackendCapabilities capabilities() {
          return BackendCapabilities.defaults().withMaxBatchEvents(10_000);
        }

        @Override
        public void log(EventBatch batch) {
          DISCARDED.add(batch.size());
        }

        @Override
        public ArtifactResult logArtifact(TraceletArtifact artifact) {
          return new ArtifactResult(name, "none", "0", Map.of());
        }

        @Override
        public Optional<RunStore> store() {
          return Optional.empty();
        }

        @Override
        public void close(RunStatus status) {}
      };
    }
  }
}
