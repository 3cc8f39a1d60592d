package dev.tracelet.plugin.clearml;

import dev.tracelet.http.Sleeper;
import dev.tracelet.plugin.clearml.stub.ClearmlStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stub server plus a session environment a test controls: a clock that moves on request, sleeps
 * that are only recorded, pings that run on {@link ManualPingTimers#tick()}, and a fixed command
 * line.
 */
final class StubFixture implements AutoCloseable {
  static final String COMMAND_LINE =
      "com.example.Train --epochs 3 --lr=0.01 --api-key abc123 data.csv";

  final ClearmlStubServer stub = ClearmlStubServer.start();
  final TestClock clock = new TestClock(Instant.now());
  final List<Duration> sleeps = new ArrayList<>();
  final ManualPingTimers timers = new ManualPingTimers();
  private final Path scratch;

  StubFixture(Path scratch) {
    this.scratch = scratch;
  }

  SessionEnvironment environment() {
    Sleeper recording =
        d -> {
          synchronized (sleeps) {
            sleeps.add(d);
          }
        };
    return new SessionEnvironment(clock, recording, timers, () -> COMMAND_LINE);
  }

  TestBackendContext.Builder context(Map<String, String> overrides) {
    Map<String, String> config = new LinkedHashMap<>(stub.config());
    config.putAll(overrides);
    return TestBackendContext.builder(scratch)
        .project("tracelet-tests")
        .experimentName("resnet-run")
        .tags(List.of("nightly"))
        .hostVersion("0.1.0")
        .config(config);
  }

  ClearmlSession open(TestBackendContext context) {
    return ClearmlSession.open(ClearmlConfig.from(context.config()), context, environment());
  }

  ClearmlSession open() {
    return open(context(Map.of()).build());
  }

  @Override
  public void close() {
    stub.close();
  }
}
