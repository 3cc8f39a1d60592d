package dev.tracelet.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * One run of the fault suite: a fault proxy in front of a stub, a runtime whose backend plugin (a
 * packaged JAR) talks to the proxy, and a started experiment.
 */
final class FaultRun implements AutoCloseable {
  /** Points per metric; with three metrics, 12,000 points per run. */
  static final int STEPS = 4_000;

  /** Longest wait anywhere in a run: a guard against hangs, never a speed requirement. */
  static final Duration GUARD = Duration.ofMinutes(2);

  final StubServer stub;
  final FaultProxy proxy;
  final TraceletEngine engine;
  final DefaultExperiment experiment;

  private FaultRun(
      StubServer stub,
      Path dir,
      Map<String, String> settings,
      IntFunction<FaultProxy.Fault> plan,
      boolean gated,
      String name) {
    this.stub = stub;
    this.proxy = new FaultProxy(stub.url(), stub::isDataPath, plan, gated);
    Map<String, String> env = new HashMap<>(stub.environment(proxy.url()));
    env.putAll(settings);
    TraceletEngine e = null;
    try {
      e = Engines.create(dir, stub.backend(), env, GUARD);
      Engines.assertLoadedFromPluginJar(e, stub.backend());
      this.experiment =
          (DefaultExperiment)
              e.startExperiment(
                  StartOptions.builder(name)
                      .project("fault-suite")
                      .backends(stub.backend())
                      .build());
    } catch (RuntimeException | Error ex) {
      if (e != null) {
        e.close();
      }
      proxy.close();
      throw ex;
    }
    this.engine = e;
  }

  /** Data requests wait at the proxy's gate until the test opens it. */
  static FaultRun gated(
      StubServer stub,
      Path dir,
      Map<String, String> settings,
      IntFunction<FaultProxy.Fault> plan,
      String name) {
    return new FaultRun(stub, dir, settings, plan, true, name);
  }

  /** Data requests meet the plan at once. */
  static FaultRun open(
      StubServer stub,
      Path dir,
      Map<String, String> settings,
      IntFunction<FaultProxy.Fault> plan,
      String name) {
    return new FaultRun(stub, dir, settings, plan, false, name);
  }

  /**
   * Logs everything while the server answers nothing: the first half, then (once a data request
   * waits at the closed gate) the second half. Asserts that the loop finished with no data request
   * answered and nothing dropped.
   */
  Training logEverythingWhileTheServerHoldsTheFirstRequest() throws InterruptedException {
    Training t =
        new Training(experiment, STEPS, () -> await(proxy.firstDataRequest(), "a data request"))
            .start();
    assertThat(t.awaitDone(GUARD))
        .as("the training thread logged everything while the server held its first request")
        .isTrue();
    assertThat(proxy.dataRequestsAnswered())
        .as("data requests answered before logging ended (the gate was closed)")
        .isZero();
    assertThat(delivery(experiment.deliveryReport()).dropped()).as("events dropped").isZero();
    return t;
  }

  /** Ends the run as finished and returns the final report. */
  DeliveryReport end() {
    return experiment.end(RunStatus.FINISHED);
  }

  /** This backend's figures in {@code report}. */
  BackendDelivery delivery(DeliveryReport report) {
    return report.backends().stream()
        .filter(b -> b.backend().equals(stub.backend()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no figures for " + stub.backend() + ": " + report));
  }

  /** Asserts the report and the stub: every event delivered, every point held exactly once. */
  void assertEverythingArrivedOnce(Training training, DeliveryReport report) {
    BackendDelivery d = delivery(report);
    assertThat(d.dropped()).as("dropped: %s", d).isZero();
    assertThat(d.failed()).as("failed: %s", d).isZero();
    assertThat(d.pending()).as("pending: %s", d).isZero();
    assertThat(d.journaled()).as("journaled: %s", d).isZero();
    assertThat(d.accepted()).as("accepted: %s", d).isEqualTo(training.events());
    assertThat(d.delivered()).as("delivered: %s", d).isEqualTo(training.events());
    RunContents contents = stub.contents(experiment.id());
    Checks.assertEveryPointOnce(contents, training.steps());
    assertThat(contents.params()).containsAllEntriesOf(Training.params());
    assertThat(contents.tags()).containsAllEntriesOf(Training.tags());
    assertThat(contents.finished()).as("the run ended as finished on the server").isTrue();
    System.out.printf(
        "%s, %s: %d events delivered; %d points received again and stored once; %d data"
            + " requests%n",
        stub.backend(),
        experiment.name(),
        d.delivered(),
        contents.resendsAbsorbed(),
        proxy.exchanges().size());
  }

  static void await(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("waited " + GUARD + " for " + what);
    }
  }

  static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new HashMap<>(a);
    m.putAll(b);
    return m;
  }

  @Override
  public void close() {
    try {
      engine.close();
    } finally {
      proxy.close();
    }
  }
}
