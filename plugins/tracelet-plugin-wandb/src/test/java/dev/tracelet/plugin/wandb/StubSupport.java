package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Settings and helpers shared by the tests that run sessions against {@link WandbStubServer}. */
final class StubSupport {
  /** Event timestamps start here, so requests are reproducible without a clock. */
  static final long T0 = 1_700_000_000_000L;

  private StubSupport() {}

  /**
   * Settings for a session against {@code stub}: no pacing, no heartbeat, no console capture, and
   * fast retries, so tests run quickly; tests of those features set them back.
   */
  static Map<String, String> config(WandbStubServer stub) {
    Map<String, String> c = new HashMap<>();
    c.put("base_url", stub.baseUrl());
    c.put("api_key", stub.apiKey());
    c.put("request_interval", "0");
    c.put("heartbeat_seconds", "0");
    c.put("console", "off");
    c.put("max_retries", "3");
    c.put("retry_backoff", "0.01");
    c.put("graphql_timeout", "10");
    c.put("filestream_timeout", "10");
    c.put("connect_timeout", "5");
    return c;
  }

  static TestBackendContext.Builder context(Path scratch, Map<String, String> config) {
    return TestBackendContext.builder(scratch)
        .config(config)
        .startTime(Instant.ofEpochMilli(T0))
        .experimentName("stub-test");
  }

  static MetricEvent metric(String key, double value, long step) {
    return new MetricEvent(key, value, step, T0 + step * 1_000 + 250);
  }

  static EventBatch metrics(MetricEvent... events) {
    return EventBatch.ofMetrics(List.of(events));
  }

  static EventBatch batch(List<MetricEvent> metrics, List<ParamEvent> params, List<TagEvent> tags) {
    return new EventBatch(metrics, params, tags);
  }

  static StubRun run(WandbStubServer stub, String runId) {
    return stub.run(runId).orElseThrow(() -> new AssertionError("the stub has no run " + runId));
  }

  /** Parses standard JSON (request bodies); lines inside stay strings. */
  static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes; no fixed sleeps. */
  static boolean await(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }
}
