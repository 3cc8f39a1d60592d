package dev.tracelet.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.faults.FaultProxy.Exchange;
import dev.tracelet.faults.FaultProxy.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each HTTP backend plugin, packaged and loaded as users load it, against its strict stub behind a
 * proxy that fails: 503 storms, reset connections, a 30-second hang, {@code Retry-After}, and a
 * server that goes away and comes back. In every test a training thread logs 12,000 points (three
 * metrics), 20 parameters and 5 tags through the public API, and:
 *
 * <ul>
 *   <li>the thread finishes logging while the server is holding back a request (or is away), so
 *       logging never waited for the network, and nothing was dropped;
 *   <li>after the run ends, the report counts every event delivered and nothing pending, failed,
 *       dropped or journaled, and the server holds every point exactly once with its value, every
 *       parameter and tag, and a finished run.
 * </ul>
 *
 * Waits are bounded (guards against hangs); nothing asserts how fast anything went.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HttpBackendFaultsTest {
  @TempDir Path tmp;

  /**
   * The first data requests all answer 503, long enough for the runtime to give up on the batch,
   * journal it, and replay it when the storm has passed.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void storm503(Backend backend) throws Exception {
    try (StubServer stub = backend.startStub()) {
      // The runtime makes 5 attempts of up to (retries + 1) requests each, then journals, then
      // probes: this storm outlasts the attempts and two probes.
      int storm = 7 * (stub.quickRetryCount() + 1);
      try (FaultRun run =
          FaultRun.gated(
              stub,
              tmp,
              stub.quickRetries(),
              n -> n <= storm ? Fault.status(503) : Fault.PASS,
              "storm-503")) {
        Training training = run.logEverythingWhileTheServerHoldsTheFirstRequest();
        run.proxy.openGate();
        // The program ends its run once the server behaves again. (A server still failing when
        // a run ends gets one more try; what it did not take stays journaled for a resume.)
        assertThat(run.proxy.awaitPassedBeyond(storm, FaultRun.GUARD))
            .as("a data request got through after the storm")
            .isTrue();
        DeliveryReport report = run.end();

        run.assertEverythingArrivedOnce(training, report);
        assertThat(run.proxy.exchanges())
            .filteredOn(e -> e.action() == FaultProxy.Action.STATUS)
            .as("503 answers")
            .hasSize(storm);
      }
    }
  }

  /**
   * Connections drop on data requests: before the server saw the request, and after it applied it
   * (so the client cannot know whether it landed and must send it again without doubling it).
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void connectionResets(Backend backend) throws Exception {
    try (StubServer stub = backend.startStub()) {
      try (FaultRun run =
          FaultRun.gated(
              stub,
              tmp,
              stub.quickRetries(),
              n ->
                  switch (n) {
                    case 1, 5, 9 -> Fault.resetBefore();
                    case 2, 3, 6, 10 -> Fault.resetAfter();
                    default -> Fault.PASS;
                  },
              "resets")) {
        Training training = run.logEverythingWhileTheServerHoldsTheFirstRequest();
        run.proxy.openGate();
        DeliveryReport report = run.end();

        run.assertEverythingArrivedOnce(training, report);
        assertThat(run.proxy.exchanges())
            .filteredOn(e -> e.action() == FaultProxy.Action.RESET_AFTER)
            .as("requests applied, then their connection dropped")
            .hasSize(4);
      }
    }
  }

  /**
   * The server stops answering: every data request in a window of up to 30 s hangs. The plugin's
   * request timeout (3 s here) gives up on each, it retries, and the runtime calls again once a
   * whole call failed; then the window closes and the held requests reach the server late, as a
   * slow server would process them, beside the live retry. (A timed-out call must leave the
   * delivery thread fit for work: W&amp;B's once left it interrupted, and lost every event.)
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void hang(Backend backend) throws Exception {
    try (StubServer stub = backend.startStub()) {
      try (FaultRun run =
          FaultRun.gated(
              stub,
              tmp,
              FaultRun.merge(stub.quickRetries(), stub.requestTimeout(3)),
              n -> n == 1 ? Fault.hang() : Fault.PASS,
              "hang")) {
        Training training = run.logEverythingWhileTheServerHoldsTheFirstRequest();
        run.proxy.openGate();
        // Every retry of one call timed out, and the runtime came back once more. Ending the
        // window then (at the latest after 30 s) keeps the suite short.
        int comebacks = stub.quickRetryCount() + 2;
        assertThat(run.proxy.awaitHeld(comebacks, FaultProxy.HANG.plusSeconds(10)))
            .as("requests that hung (the plugin timed out and came back %d times)", comebacks - 1)
            .isTrue();
        run.proxy.endHang();
        DeliveryReport report = run.end();

        run.assertEverythingArrivedOnce(training, report);
      }
    }
  }

  /**
   * The server answers 429 and 503 with {@code Retry-After: 1}. The plugin waits as told: the next
   * request comes no sooner than a second after each such answer (a lower bound that a slow machine
   * only makes easier to meet; W&amp;B's stub adds 429s of its own rate limit).
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void retryAfter(Backend backend) throws Exception {
    try (StubServer stub = backend.startStub()) {
      try (FaultRun run =
          FaultRun.gated(
              stub,
              tmp,
              // The plugin's default retries: the three answers below fit in one call.
              java.util.Map.of(),
              n ->
                  switch (n) {
                    case 1, 3 -> Fault.retryAfter(429, 1);
                    case 2 -> Fault.retryAfter(503, 1);
                    default -> Fault.PASS;
                  },
              "retry-after")) {
        Training training = run.logEverythingWhileTheServerHoldsTheFirstRequest();
        run.proxy.openGate();
        DeliveryReport report = run.end();

        run.assertEverythingArrivedOnce(training, report);
        List<Exchange> exchanges =
            run.proxy.exchanges().stream()
                .sorted(Comparator.comparingLong(Exchange::arrivedNanos))
                .toList();
        int checked = 0;
        for (int i = 0; i + 1 < exchanges.size(); i++) {
          Exchange told = exchanges.get(i);
          if (told.retryAfter() == null || (told.status() != 429 && told.status() != 503)) {
            continue;
          }
          Exchange next = exchanges.get(i + 1);
          long waitedMillis = (next.arrivedNanos() - told.answeredNanos()) / 1_000_000;
          // 20 ms for the granularity of the clocks involved.
          assertThat(waitedMillis)
              .as(
                  "ms between answer %d (%d, Retry-After %s) and the next request",
                  told.number(), told.status(), told.retryAfter())
              .isGreaterThanOrEqualTo(Long.parseLong(told.retryAfter()) * 1000 - 20);
          checked++;
        }
        assertThat(checked).as("Retry-After answers followed by a retry").isGreaterThanOrEqualTo(3);
      }
    }
  }

  /**
   * The server goes away (the proxy stops listening, its in-flight request lost after the stub
   * applied it) while the training thread is halfway; the thread logs the second half while nothing
   * listens; after a pause the server comes back on the same port with everything it had stored,
   * and the plugin catches up.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void goAwayAndComeBack(Backend backend) throws Exception {
    try (StubServer stub = backend.startStub()) {
      try (FaultRun run =
          FaultRun.open(
              stub,
              tmp,
              stub.quickRetries(),
              n -> n == 3 ? Fault.goAway() : Fault.PASS,
              "go-away")) {
        CountDownLatch down = new CountDownLatch(1);
        Training training =
            new Training(
                    run.experiment,
                    FaultRun.STEPS,
                    () -> FaultRun.await(down, "the server to stop"))
                .start();
        FaultRun.await(run.proxy.wentAway(), "the third data request");
        run.proxy.goAway();
        down.countDown();
        assertThat(training.awaitDone(FaultRun.GUARD))
            .as("the training thread logged the second half while the server was away")
            .isTrue();
        assertThat(run.delivery(run.experiment.deliveryReport()).dropped())
            .as("events dropped")
            .isZero();
        // Away for a while: long enough for the runtime to give up on the backend for now.
        Thread.sleep(Duration.ofSeconds(3).toMillis());
        run.proxy.comeBack();
        DeliveryReport report = run.end();

        run.assertEverythingArrivedOnce(training, report);
        assertThat(run.proxy.passedAfterComingBack())
            .as("data requests passed on after the server came back")
            .isPositive();
      }
    }
  }
}
