package dev.tracelet.plugin.wandb;

import static dev.tracelet.plugin.wandb.StubSupport.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.plugin.wandb.stub.WandbStubServer.RecordedRequest;
import dev.tracelet.testkit.TestBackendContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File-stream offsets across failures: whatever fails, and however the session or the host retries,
 * the stub ends up with every history line exactly once, in order, with no gap.
 */
class FileStreamRetryTest {
  @TempDir Path tmp;
  private WandbStubServer stub;
  private Map<String, String> config;

  @BeforeEach
  void start() {
    stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0);
    config = StubSupport.config(stub);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private BackendSession open(TestBackendContext ctx) {
    return new WandbBackendPlugin().open(ctx);
  }

  /** Steps {@code from..to-1}, two metrics each. */
  private static EventBatch steps(long from, long to) {
    List<MetricEvent> events = new ArrayList<>();
    for (long s = from; s < to; s++) {
      events.add(metric("loss", 1.0 / (s + 1), s));
      events.add(metric("acc", s / 100.0, s));
    }
    return EventBatch.ofMetrics(events);
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  void aRequestCutOffAfterTheServerStoredItIsResentWithoutDuplicates() {
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    s.log(steps(0, 10));
    // The server stores the next request, then drops the connection: the session cannot tell
    // whether its lines arrived, and its retry resends them at the same offset.
    stub.resetConnectionAfterApplying(1);
    s.log(steps(10, 20));
    s.log(steps(20, 30));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.steps()).containsExactlyElementsOf(range(0, 30));
    assertThat(stub.rejections()).isEmpty();
    List<Integer> offsets = historyOffsets(ctx.runId());
    assertThat(new java.util.HashSet<>(offsets))
        .as("the resend repeats the offset of the request that was cut off: %s", offsets)
        .hasSizeLessThan(offsets.size());
  }

  @Test
  void whenLogThrowsTheHostsRetryOfTheSameBatchSendsEachLineOnce() {
    config.put("max_retries", "0");
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    s.log(steps(0, 5));
    EventBatch second = steps(5, 12);
    stub.resetConnectionAfterApplying(1);
    assertThatThrownBy(() -> s.log(second)).isInstanceOf(BackendException.class);
    stub.failNextFileStreams(1, 503, null);
    assertThatThrownBy(() -> s.log(second)).isInstanceOf(BackendException.class);
    s.log(second);
    s.log(steps(12, 15));
    s.close(RunStatus.FINISHED);

    StubRun run = StubSupport.run(stub, ctx.runId());
    assertThat(run.steps()).containsExactlyElementsOf(range(0, 15));
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void linesOfABatchTheHostGaveUpOnStillGoOutBeforeTheNextBatch() {
    config.put("max_retries", "0");
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    stub.failNextFileStreams(2, 500, null);
    EventBatch abandoned = steps(0, 4);
    assertThatThrownBy(() -> s.log(abandoned)).isInstanceOf(BackendException.class);
    assertThatThrownBy(() -> s.log(abandoned)).isInstanceOf(BackendException.class);
    // The host gives up on that batch and moves on.
    s.log(steps(4, 8));
    s.close(RunStatus.FINISHED);

    assertThat(StubSupport.run(stub, ctx.runId()).steps()).containsExactlyElementsOf(range(0, 8));
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void serverErrorsAreRetriedWithinOneLogCall() {
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    stub.failNextFileStreams(2, 502, null);
    s.log(steps(0, 3));
    s.close(RunStatus.FINISHED);

    assertThat(StubSupport.run(stub, ctx.runId()).steps()).containsExactly(0L, 1L, 2L);
    long attempts = stub.requests().stream().filter(r -> r.path().endsWith("/file_stream")).count();
    assertThat(attempts).as("2 failures, 1 success, then the final request").isEqualTo(4);
  }

  @Test
  void aRefusedRequestIsNotRetriedAndItsLinesAreDroppedWithoutAGap() {
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    s.log(steps(0, 3));
    stub.failNextFileStreams(1, 400, null);
    int before = stub.requests().size();
    Throwable refused = catchThrowable(() -> s.log(steps(3, 6)));
    assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("400");
    assertThat(stub.requests()).as("400 is never retried").hasSize(before + 1);

    s.log(steps(6, 9));
    s.close(RunStatus.FINISHED);
    StubRun run = StubSupport.run(stub, ctx.runId());
    // Rows 2 to 4 went out with the refused request; row 5 was still open, so it was kept.
    assertThat(run.steps()).containsExactly(0L, 1L, 5L, 6L, 7L, 8L);
    assertThat(stub.rejections()).isEmpty();
  }

  @Test
  void a429WithRetryAfterIsWaitedOut() {
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    stub.failNextFileStreams(1, 429, "1");
    long started = System.nanoTime();
    s.log(steps(0, 3));
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;
    s.close(RunStatus.FINISHED);

    assertThat(StubSupport.run(stub, ctx.runId()).steps()).containsExactly(0L, 1L, 2L);
    // Not a speed assertion: Retry-After is a lower bound the client must honour.
    assertThat(waitedMillis).as("waited at least Retry-After").isGreaterThanOrEqualTo(1_000);
  }

  @Test
  void theDefaultPacingStaysWithinTwoRequestsPerSecond() {
    stub.rateLimit(2);
    config.remove("request_interval");
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    for (int b = 0; b < 4; b++) {
      s.log(steps(b * 2L, b * 2L + 2));
    }
    s.close(RunStatus.FINISHED);

    assertThat(StubSupport.run(stub, ctx.runId()).steps()).containsExactlyElementsOf(range(0, 8));
    assertThat(stub.rejections()).as("no 429 from the stub's 2 requests/s limit").isEmpty();
  }

  @Test
  void anUnpacedClientIsThrottledAndStillDeliversEverything() {
    stub.rateLimit(2);
    TestBackendContext ctx = StubSupport.context(tmp, config).build();
    BackendSession s = open(ctx);
    for (int b = 0; b < 3; b++) {
      s.log(steps(b * 2L, b * 2L + 2));
    }
    s.close(RunStatus.FINISHED);

    assertThat(stub.rejections()).anyMatch(r -> r.startsWith("429"));
    assertThat(StubSupport.run(stub, ctx.runId()).steps()).containsExactlyElementsOf(range(0, 6));
  }

  private List<Integer> historyOffsets(String runId) {
    List<Integer> offsets = new ArrayList<>();
    for (RecordedRequest r : stub.requests()) {
      if (!r.path().contains("/" + runId + "/file_stream") || !r.body().contains("wandb-history")) {
        continue;
      }
      var body = StubSupport.json(r.body());
      offsets.add(body.path("files").path("wandb-history.jsonl").path("offset").asInt());
    }
    return offsets;
  }
}
