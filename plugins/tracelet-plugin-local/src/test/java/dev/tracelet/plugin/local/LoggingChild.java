package dev.tracelet.plugin.local;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A separate JVM that logs into a store through the plugin classes, as a training process would. It
 * talks to the test over stdin/stdout, one line at a time.
 *
 * <ul>
 *   <li>{@code concurrent <dir> <project> <points> <keys> <batch>}: opens a run, prints {@code
 *       ready <run id>}, waits for a {@code go} line, logs {@code points} points spread over {@code
 *       keys} keys (point {@code i} of a key has step {@code i} and value {@code i}) in batches,
 *       closes the run and prints {@code done <run id>}.
 *   <li>{@code kill <dir> <project> <flush ms>}: opens a run, prints {@code run <run id>}, then
 *       logs point after point of key {@code m} (value = index) and every {@code flush ms} stores
 *       what it has in one batch, printing {@code committed <count>} after each; it runs until it
 *       is killed.
 * </ul>
 */
public final class LoggingChild {
  private LoggingChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    Path scratch = Files.createTempDirectory("tracelet-child");
    TestContext ctx =
        new TestContext(
            Map.of("dir", dir.toString(), "busy_timeout_ms", "120000"),
            TestContext.newRunId(),
            "child",
            args[2],
            List.of(),
            java.time.Instant.now(),
            TestContext.NO_CAPTURE,
            false,
            scratch);
    LocalBackendPlugin plugin = new LocalBackendPlugin();
    switch (args[0]) {
      case "concurrent" -> concurrent(plugin, ctx, args);
      case "kill" -> kill(plugin, ctx, Long.parseLong(args[3]));
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static void concurrent(LocalBackendPlugin plugin, TestContext ctx, String[] args)
      throws Exception {
    int points = Integer.parseInt(args[3]);
    int keys = Integer.parseInt(args[4]);
    int batchSize = Integer.parseInt(args[5]);
    LocalSession session = (LocalSession) plugin.open(ctx);
    System.out.println("ready " + session.runId());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (!"go".equals(in.readLine())) {
      throw new IllegalStateException("expected 'go'");
    }
    List<MetricEvent> batch = new ArrayList<>(batchSize);
    for (int i = 0; i < points; i++) {
      int step = i / keys;
      batch.add(new MetricEvent("m" + (i % keys), step, step, System.currentTimeMillis()));
      if (batch.size() == batchSize) {
        session.log(EventBatch.ofMetrics(batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      session.log(EventBatch.ofMetrics(batch));
    }
    session.close(RunStatus.FINISHED);
    System.out.println("done " + session.runId());
    System.out.flush();
  }

  private static void kill(LocalBackendPlugin plugin, TestContext ctx, long flushMillis) {
    LocalSession session = (LocalSession) plugin.open(ctx);
    session.log(StoreFixture.params(Map.of("lr", 0.01, "model", "mlp")));
    System.out.println("run " + session.runId());
    System.out.flush();
    List<MetricEvent> pending = new ArrayList<>();
    long next = 0;
    long flushAt = System.nanoTime() + flushMillis * 1_000_000;
    while (true) {
      for (int k = 0; k < 20; k++) {
        pending.add(new MetricEvent("m", next, next, System.currentTimeMillis()));
        next++;
      }
      // Pace the "training loop" at roughly 20,000 points a second.
      LockSupport.parkNanos(1_000_000);
      if (System.nanoTime() >= flushAt) {
        session.log(EventBatch.ofMetrics(pending));
        pending.clear();
        System.out.println("committed " + next);
        System.out.flush();
        flushAt = System.nanoTime() + flushMillis * 1_000_000;
      }
    }
  }
}
