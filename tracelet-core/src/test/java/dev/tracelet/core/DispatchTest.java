package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.Experiment;
import dev.tracelet.api.NoActiveRunException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher's promises, checked with latches and counters, never with the clock: the caller
 * never blocks or sees a backend's failure, and ending a run delivers what was logged before.
 */
class DispatchTest {
  @TempDir Path dir;
  private TraceletEngine engine;

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  private Experiment start(Map<String, String> props, FakeBackend... backends) {
    engine = EngineFixture.engine(dir, props, backends);
    String[] names = java.util.Arrays.stream(backends).map(b -> b.name).toArray(String[]::new);
    return engine.startExperiment(StartOptions.builder("exp").backends(names).build());
  }

  @Test
  void aBlockedBackendsBacklogGoesToTheJournalNotToMemoryAndArrivesInOrder() {
    FakeBackend blocked = new FakeBackend("blocked");
    blocked.gate = new CountDownLatch(1);
    // 1 MB of queue memory holds 16,384 events; 100,000 are logged while the backend is stuck.
    Experiment exp =
        start(Map.of("tracelet.queue_memory", "1MB", "tracelet.shutdown_timeout", "60s"), blocked);

    DefaultExperiment run = (DefaultExperiment) exp;
    for (int chunk = 0; chunk < 20; chunk++) {
      for (int i = chunk * 5_000; i < (chunk + 1) * 5_000; i++) {
        exp.logMetric("loss", i, i);
      }
      // A tight loop can outrun any disk; between chunks the worker gets to move the backlog.
      awaitUntil(() -> run.deliveryReport().backends().get(0).pending() < 8_192);
    }
    // Reaching this line with the gate still shut is the property under test.
    assertThat(blocked.gate.getCount()).isEqualTo(1);
    assertThat(blocked.metrics).isEmpty();
    BackendDelivery during = run.deliveryReport().backends().get(0);
    assertThat(during.dropped()).as(during.toString()).isZero();
    assertThat(during.journaled()).as(during.toString()).isGreaterThan(80_000);

    blocked.gate.countDown();
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    BackendDelivery d = report.backends().get(0);
    assertThat(report.complete()).as(report.toString()).isTrue();
    assertThat(d.delivered()).isEqualTo(100_000);
    assertThat(blocked.values("loss"))
        .isEqualTo(IntStream.range(0, 100_000).mapToObj(i -> (double) i).toList());
    assertThat(blocked.closed).containsExactly(RunStatus.FINISHED);
  }

  @Test
  void withoutAJournalAFullQueueCountsItsDropsInsteadOfHidingThem() {
    FakeBackend blocked = new FakeBackend("blocked");
    blocked.gate = new CountDownLatch(1);
    Experiment exp =
        start(
            Map.of(
                "tracelet.queue_memory",
                "1MB",
                "tracelet.journal_dir",
                "off",
                "tracelet.shutdown_timeout",
                "60s"),
            blocked);
    for (int i = 0; i < 100_000; i++) {
      exp.logMetric("loss", i, i);
    }
    blocked.gate.countDown();
    BackendDelivery d = ((DefaultExperiment) exp).end(RunStatus.FINISHED).backends().get(0);
    assertThat(d.delivered() + d.dropped()).isEqualTo(100_000);
    assertThat(d.dropped()).isPositive();
    assertThat(d.toString()).contains("raise queue_memory");
    assertThat(blocked.metrics).hasSize((int) d.delivered());
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    while (!condition.getAsBoolean()) {
      // A hang guard, not a speed check.
      assertThat(System.nanoTime() - deadline).as("condition not met within a minute").isNegative();
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
  }

  @Test
  void aThrowingBackendNeitherReachesTheCallerNorStarvesAnother() {
    FakeBackend broken = new FakeBackend("broken");
    broken.failAlways = true;
    FakeBackend healthy = new FakeBackend("healthy");
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "60s"), broken, healthy);

    assertThatCode(
            () -> {
              for (int i = 0; i < 5_000; i++) {
                exp.logMetric("acc", i, i);
              }
              exp.logParams(Map.of("lr", 0.1));
              exp.setTag("team", "vision");
              exp.flush();
              exp.stop();
            })
        .doesNotThrowAnyException();

    assertThat(healthy.values("acc")).hasSize(5_000);
    assertThat(healthy.values("acc"))
        .isEqualTo(IntStream.range(0, 5_000).mapToObj(i -> (double) i).toList());
    assertThat(healthy.params).extracting(p -> p.key()).containsExactly("lr");
    assertThat(healthy.tags).extracting(t -> t.value()).containsExactly("vision");
    DeliveryReport report = ((DefaultExperiment) exp).deliveryReport();
    BackendDelivery brokenReport = report.backends().get(0);
    // Nothing is lost: what the dead backend could not take waits in its journal on disk.
    assertThat(brokenReport.journaled()).isEqualTo(5_002);
    assertThat(brokenReport.lost()).isZero();
    assertThat(brokenReport.lastError()).contains("is down");
    assertThat(dir.resolve("journal").resolve(exp.id()).resolve("broken.journal")).isRegularFile();
    assertThat(report.backends().get(1).undelivered()).isZero();
  }

  @Test
  void withoutAJournalADeadBackendsEventsAreCountedAsFailed() {
    FakeBackend broken = new FakeBackend("broken");
    broken.failAlways = true;
    Experiment exp = start(Map.of("tracelet.journal_dir", "off"), broken);
    exp.logMetric("m", 1, 0);
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.backends().get(0).failed()).isEqualTo(1);
    assertThat(report.backends().get(0).journaled()).isZero();
  }

  @Test
  void aRecoveredBackendGetsTheJournalReplayedInOrderBeforeNewEvents() throws Exception {
    FakeBackend flaky = new FakeBackend("flaky");
    flaky.failAlways = true;
    Experiment exp = start(Map.of("tracelet.batch_size", "100"), flaky);
    for (int i = 0; i < 1_000; i++) {
      exp.logMetric("m", i, i);
    }
    exp.flush();
    assertThat(((DefaultExperiment) exp).deliveryReport().backends().get(0).journaled())
        .isEqualTo(1_000);
    flaky.failAlways = false;
    for (int i = 1_000; i < 2_000; i++) {
      exp.logMetric("m", i, i);
    }
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.complete()).as(report.toString()).isTrue();
    assertThat(flaky.values("m"))
        .isEqualTo(IntStream.range(0, 2_000).mapToObj(i -> (double) i).toList());
    assertThat(dir.resolve("journal").resolve(exp.id())).doesNotExist();
  }

  @Test
  void aResumedRunReplaysWhatAnEarlierProcessJournaled() {
    FakeBackend down = new FakeBackend("svc");
    down.failAlways = true;
    Experiment first = start(Map.of(), down);
    for (int i = 0; i < 300; i++) {
      first.logMetric("m", i, i);
    }
    DeliveryReport firstReport = ((DefaultExperiment) first).end(RunStatus.KILLED);
    assertThat(firstReport.backends().get(0).journaled()).isEqualTo(300);
    engine.close();

    FakeBackend up = new FakeBackend("svc");
    Experiment resumed = start(Map.of("tracelet.run_id", first.id()), up);
    assertThat(resumed.id()).isEqualTo(first.id());
    resumed.logMetric("m", 300, 300);
    DeliveryReport report = ((DefaultExperiment) resumed).end(RunStatus.FINISHED);
    assertThat(report.complete()).as(report.toString()).isTrue();
    assertThat(up.values("m"))
        .isEqualTo(IntStream.rangeClosed(0, 300).mapToObj(i -> (double) i).toList());
    assertThat(up.contexts.get(0).resumed()).isTrue();
  }

  @Test
  void stopDeliversEverythingLoggedBeforeIt() {
    // The Python original lost 2,997 of 3,000 metrics here with a 1 ms backend.
    FakeBackend slow = new FakeBackend("slow");
    slow.sleepPerLogMillis = 1;
    slow.maxBatch = 1;
    Experiment exp = start(Map.of(), slow);
    for (int i = 0; i < 3_000; i++) {
      exp.logMetric("m", i, i);
    }
    exp.stop();
    assertThat(slow.metrics).hasSize(3_000);
    assertThat(slow.closed).containsExactly(RunStatus.FINISHED);
    assertThat(exp.status()).isEqualTo(RunStatus.FINISHED);
  }

  @Test
  void eventsLoggedBeforeTheBackendOpensAreKept() {
    FakeBackend late = new FakeBackend("late");
    late.openGate = new CountDownLatch(1);
    Experiment exp = start(Map.of(), late);
    exp.logParams(Map.of("batch", 32));
    for (int i = 0; i < 100; i++) {
      exp.logMetric("m", i, i);
    }
    assertThat(late.contexts).isEmpty();
    late.openGate.countDown();
    exp.stop();
    assertThat(late.metrics).hasSize(100);
    assertThat(late.params).hasSize(1);
  }

  @Test
  void anUnstorableEventIsRefusedAloneAndTheRestOfItsBatchArrives() {
    FakeBackend picky = new FakeBackend("picky");
    picky.rejectMetric = "poison";
    Experiment exp = start(Map.of("tracelet.batch_size", "1000"), picky);
    for (int i = 0; i < 200; i++) {
      exp.logMetric(i == 137 ? "poison" : "m", i, i);
    }
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    BackendDelivery d = report.backends().get(0);
    assertThat(d.failed()).as(d.toString()).isEqualTo(1);
    assertThat(d.delivered()).isEqualTo(199);
    assertThat(picky.values("m"))
        .isEqualTo(
            IntStream.range(0, 200).filter(i -> i != 137).mapToObj(i -> (double) i).toList());
  }

  @Test
  void transientFailuresAreRetriedWithoutLoss() {
    FakeBackend flaky = new FakeBackend("flaky");
    flaky.failFirstLogs = 2;
    Experiment exp = start(Map.of(), flaky);
    for (int i = 0; i < 500; i++) {
      exp.logMetric("m", i, i);
    }
    exp.stop();
    assertThat(flaky.metrics).hasSize(500);
    DeliveryReport report = ((DefaultExperiment) exp).deliveryReport();
    assertThat(report.complete()).isTrue();
    // Everything arrived: the failures are history, not a problem to act on.
    assertThat(report.toString()).contains("(recovered from: ").doesNotContain("last error");
  }

  @Test
  void aBackendThatNeverOpensIsReportedNotHung() {
    FakeBackend refusing = new FakeBackend("refusing");
    refusing.failOpen = true;
    FakeBackend healthy = new FakeBackend("healthy");
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "1s"), refusing, healthy);
    for (int i = 0; i < 10; i++) {
      exp.logMetric("m", i, i);
    }
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.backends().get(0).undelivered()).isEqualTo(10);
    assertThat(report.backends().get(0).delivered()).isZero();
    assertThat(report.backends().get(0).lastError()).contains("open refused");
    assertThat(healthy.metrics).hasSize(10);
  }

  @Test
  void aHungBackendIsAbandonedAtTheDeadlineAndReported() {
    FakeBackend hung = new FakeBackend("hung");
    hung.gate = new CountDownLatch(1);
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "200ms"), hung);
    exp.logMetric("m", 1, 0);
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    // The batch in flight has an unknown fate: it is kept for a resume (at least once).
    assertThat(report.backends().get(0).journaled()).isEqualTo(1);
    assertThat(report.backends().get(0).lastError()).contains("shutdown_timeout");
    assertThat(report.complete()).isFalse();
    hung.gate.countDown();
  }

  @Test
  void sessionsAreNeverCalledConcurrently() throws InterruptedException {
    FakeBackend b = new FakeBackend("serial");
    b.maxBatch = 7;
    Experiment exp = start(Map.of(), b);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int offset = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  exp.logMetric("t" + offset, i, i);
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }
    exp.stop();
    assertThat(b.maxConcurrentCalls.get()).isEqualTo(1);
    assertThat(b.batchSizes).allSatisfy(s -> assertThat(s).isLessThanOrEqualTo(7));
    for (int t = 0; t < 4; t++) {
      // Each thread's points arrive in the order that thread logged them.
      assertThat(b.values("t" + t))
          .isEqualTo(IntStream.range(0, 10_000).mapToObj(i -> (double) i).toList());
    }
  }

  @Test
  void flushReturnsWithEverythingDelivered() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of("tracelet.flush_interval", "1h"), b);
    for (int i = 0; i < 10; i++) {
      exp.logMetric("m", i, i);
    }
    exp.flush();
    assertThat(b.metrics).hasSize(10);
    exp.stop();
  }

  @Test
  void paramsAreWriteOnce() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of(), b);
    exp.logParams(Map.of("lr", 0.1, "epochs", 10));
    exp.logParams(Map.of("lr", 0.1));
    assertThatThrownBy(() -> exp.logParams(Map.of("lr", 0.2, "other", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lr'")
        .hasMessageContaining("0.1")
        .hasMessageContaining("0.2")
        .hasMessageContaining("write-once");
    exp.stop();
    assertThat(b.params).extracting(p -> p.key()).containsExactlyInAnyOrder("lr", "epochs");
  }

  @Test
  void loggingAfterTheEndNamesTheRun() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of(), b);
    exp.stop();
    exp.stop();
    assertThat(b.closed).containsExactly(RunStatus.FINISHED);
    assertThatThrownBy(() -> exp.logMetric("m", 1))
        .isInstanceOf(NoActiveRunException.class)
        .hasMessageContaining(exp.id());
  }

  @Test
  void badNamesFailAtTheCallAndKeepWhatWasLogged() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of(), b);
    exp.logMetric("good", 1, 0);
    assertThatThrownBy(() -> exp.logMetric("../escape", 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> exp.logMetrics(Map.of("ok", 1, "bad\n", 2), 1))
        .isInstanceOf(IllegalArgumentException.class);
    exp.stop();
    assertThat(b.metrics).extracting(m -> m.name()).containsExactly("good");
  }

  @Test
  void nonFiniteValuesAndStepZeroAreKept() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of(), b);
    exp.logMetric("nan", Double.NaN, 0);
    exp.logMetric("inf", Double.POSITIVE_INFINITY, 0);
    exp.setIteration(0);
    exp.logMetric("implicit", 1.0);
    exp.stop();
    assertThat(b.metrics).extracting(m -> m.step()).containsOnly(0L);
    assertThat(b.values("nan")).containsExactly(Double.NaN);
  }

  @Test
  void failEndsTheRunFailedWithTheCause() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of(), b);
    exp.fail(new IllegalStateException("diverged"));
    assertThat(exp.status()).isEqualTo(RunStatus.FAILED);
    assertThat(b.closed).containsExactly(RunStatus.FAILED);
    assertThat(b.tags).anySatisfy(t -> assertThat(t.value()).contains("diverged"));
  }

  @Test
  void closingTheEngineEndsOpenRunsKilled() {
    FakeBackend b = new FakeBackend("b");
    Experiment exp = start(Map.of(), b);
    exp.logMetric("m", 1, 0);
    engine.close();
    engine = null;
    assertThat(exp.status()).isEqualTo(RunStatus.KILLED);
    assertThat(b.closed).containsExactly(RunStatus.KILLED);
    assertThat(b.metrics).hasSize(1);
  }

  @Test
  void startingAnotherExperimentStopsTheActiveOne() {
    FakeBackend b = new FakeBackend("b");
    Experiment first = start(Map.of(), b);
    Experiment second =
        engine.startExperiment(StartOptions.builder("second").backends("b").build());
    assertThat(first.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(engine.activeExperiment()).containsSame(second);
    assertThat(second.id()).isNotEqualTo(first.id()).hasSize(32);
    second.stop();
    assertThat(engine.activeExperiment()).isEmpty();
  }

  @Test
  void contextCarriesIdentityAndOnlyTheBackendsOwnSettings() {
    FakeBackend b = new FakeBackend("b");
    engine = EngineFixture.engine(dir, Map.of(), b);
    Experiment exp =
        engine.startExperiment(
            StartOptions.builder("resnet")
                .project("vision")
                .backends("b")
                .tags("baseline")
                .build());
    exp.flush();
    exp.stop();
    assertThat(b.contexts).hasSize(1);
    var ctx = b.contexts.get(0);
    assertThat(ctx.runId()).isEqualTo(exp.id());
    assertThat(ctx.experimentName()).isEqualTo("resnet");
    assertThat(ctx.project()).isEqualTo("vision");
    assertThat(ctx.tags()).containsExactly("baseline");
  }

  @Test
  void unknownBackendFailsBeforeAnythingStarts() {
    engine = EngineFixture.engine(dir, Map.of(), new FakeBackend("b"));
    assertThatThrownBy(
            () -> engine.startExperiment(StartOptions.builder("x").backends("nope").build()))
        .hasMessageContaining("'nope' is not installed")
        .hasMessageContaining("b");
    assertThat(engine.activeExperiment()).isEmpty();
  }

  @Test
  void aBatchTheBackendRejectsAsInvalidIsNotRetried() {
    FakeBackend strict = new FakeBackend("strict");
    strict.rejectInvalid = true;
    Experiment exp = start(Map.of(), strict);
    exp.logMetric("m", 1, 0);
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(strict.logCalls.get()).isEqualTo(1);
    assertThat(report.backends().get(0).failed()).isEqualTo(1);
    assertThat(report.backends().get(0).lastError()).contains("cannot store");
  }

  @Test
  void aBackendThatThrowsOnCloseStillEndsTheRun() {
    FakeBackend b = new FakeBackend("b");
    b.failClose = true;
    Experiment exp = start(Map.of(), b);
    exp.logMetric("m", 1, 0);
    assertThatCode(exp::stop).doesNotThrowAnyException();
    assertThat(exp.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(b.metrics).hasSize(1);
    assertThat(((DefaultExperiment) exp).deliveryReport().backends().get(0).lastError())
        .contains("close refused");
  }

  @Test
  void aBackendThatHangsInOpenNeverReachesTheCaller() {
    FakeBackend hanging = new FakeBackend("hanging");
    hanging.openGate = new CountDownLatch(1);
    FakeBackend healthy = new FakeBackend("healthy");
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "300ms"), hanging, healthy);
    for (int i = 0; i < 1_000; i++) {
      exp.logMetric("m", i, i);
    }
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.backends().get(0).undelivered()).isEqualTo(1_000);
    assertThat(report.backends().get(1).delivered()).isEqualTo(1_000);
    hanging.openGate.countDown();
  }
}
