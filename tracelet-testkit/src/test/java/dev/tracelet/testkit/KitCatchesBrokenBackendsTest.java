package dev.tracelet.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.PluginContext;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.testkit.recording.RecordingBackendPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * The kit's checks can fail: each deliberately broken backend below (the recording backend behind a
 * faulty wrapper) is run through the check meant to catch it, called directly, and the check must
 * throw an {@link AssertionError}. The same checks pass for the unbroken backend.
 */
class KitCatchesBrokenBackendsTest {
  @TempDir Path scratch;

  @AfterEach
  void forgetRuns() {
    RecordingBackendPlugin.reset();
  }

  @Test
  void theUnbrokenBackendPassesEveryCheckUsedHere() {
    UnaryOperator<BackendSession> unchanged = session -> session;
    for (Check check :
        List.<Check>of(
            kit -> kit.new Batching().aFullBatchArrivesWhole(),
            kit -> kit.new Batching().pointsOfOneKeyKeepTheirOrder(),
            kit -> kit.new BadInput().nanIsStoredOrClearlyRejected(),
            kit -> kit.new BadInput().aVeryLongParamValueCostsNoOtherEvent(),
            kit -> kit.new Lifecycle().closeFailedEndsTheRunFailed(),
            kit -> kit.new CloseSemantics().logAfterCloseIsRejected(),
            kit -> kit.new CloseSemantics().everythingLoggedBeforeCloseIsReadableAfterIt(),
            kit -> kit.new Artifacts().filesRoundTripByteForByte(),
            kit -> kit.new Retries().aResumedRunContinuesWhereItStopped(),
            kit ->
                kit.new Retries().aBatchThatFailedWhileTheBackendWasDownIsStoredOnceWhenRetried(),
            kit -> kit.new Retries().openWhileTheBackendIsDownThrowsAndSucceedsOnceItIsBack(),
            kit -> kit.new Concurrency().twoRunsLoggedFromTwoThreadsStayApart())) {
      assertThatCode(() -> run(unchanged, check)).doesNotThrowAnyException();
    }
  }

  @Test
  void droppingEverySecondMetricFailsTheBatchingChecks() {
    UnaryOperator<BackendSession> dropping = DroppingEverySecondMetric::new;

    assertThatThrownBy(() -> run(dropping, kit -> kit.new Batching().aFullBatchArrivesWhole()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("of one batch of 250 events");
    assertThatThrownBy(
            () -> run(dropping, kit -> kit.new Batching().pointsOfOneKeyKeepTheirOrder()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("60 points");
  }

  @Test
  void turningNanIntoZeroFailsTheNanCheck() {
    UnaryOperator<BackendSession> zeroing = ZeroingNan::new;

    assertThatThrownBy(() -> run(zeroing, kit -> kit.new BadInput().nanIsStoredOrClearlyRejected()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("stored as exactly NaN");
  }

  @Test
  void cuttingLongParamValuesSilentlyFailsTheLongParamCheck() {
    UnaryOperator<BackendSession> cutting = CuttingParamValues::new;

    assertThatThrownBy(
            () -> run(cutting, kit -> kit.new BadInput().aVeryLongParamValueCostsNoOtherEvent()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("10000-character param value");
  }

  @Test
  void ignoringTheCloseStatusFailsTheLifecycleCheck() {
    UnaryOperator<BackendSession> alwaysFinished = AlwaysFinished::new;

    assertThatThrownBy(
            () -> run(alwaysFinished, kit -> kit.new Lifecycle().closeFailedEndsTheRunFailed()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("status after close(FAILED)");
  }

  @Test
  void acceptingLogAfterCloseFailsTheCloseCheck() {
    UnaryOperator<BackendSession> swallowing = SwallowingAfterClose::new;

    assertThatThrownBy(
            () -> run(swallowing, kit -> kit.new CloseSemantics().logAfterCloseIsRejected()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("log() after close() must throw");
  }

  @Test
  void notFlushingOnCloseFailsTheFlushCheck() {
    UnaryOperator<BackendSession> buffering = BufferingWithoutFlush::new;

    assertThatThrownBy(
            () ->
                run(
                    buffering,
                    kit -> kit.new CloseSemantics().everythingLoggedBeforeCloseIsReadableAfterIt()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("right before close");
  }

  @Test
  void writingEveryRunIntoTheFirstOneFailsTheConcurrencyCheck() {
    AtomicReference<@Nullable BackendSession> first = new AtomicReference<>();
    UnaryOperator<BackendSession> mixing =
        session -> {
          first.compareAndSet(null, session);
          return new IntoFirstRun(session, first.get());
        };

    assertThatThrownBy(
            () -> run(mixing, kit -> kit.new Concurrency().twoRunsLoggedFromTwoThreadsStayApart()))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void losingArtifactFilesFailsTheArtifactCheck() {
    UnaryOperator<BackendSession> losing = LosingArtifacts::new;

    assertThatThrownBy(() -> run(losing, kit -> kit.new Artifacts().filesRoundTripByteForByte()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("artifact file kit-blob/data/blob.bin");
  }

  @Test
  void aBackendWithoutArtifactsSkipsTheArtifactCheckVisibly() {
    UnaryOperator<BackendSession> noArtifacts = WithoutArtifacts::new;

    assertThatThrownBy(
            () -> run(noArtifacts, kit -> kit.new Artifacts().filesRoundTripByteForByte()))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("capabilities().artifacts() is false");
  }

  @Test
  void aReadbackWithoutArtifactsSkipsTheArtifactCheckVisibly() {
    assertThatThrownBy(
            () ->
                run(
                    session -> session,
                    RunReadback::withoutArtifacts,
                    kit -> kit.new Artifacts().filesRoundTripByteForByte()))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("readsArtifacts() is false");
  }

  @Test
  void swallowingFailuresWhileDownFailsTheRetryCheck() {
    UnaryOperator<BackendSession> swallowing = SwallowingFailures::new;

    assertThatThrownBy(
            () ->
                run(
                    swallowing,
                    kit ->
                        kit.new Retries()
                            .aBatchThatFailedWhileTheBackendWasDownIsStoredOnceWhenRetried()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("while the backend is down must throw");
  }

  @Test
  void failingWithIllegalArgumentWhileDownFailsTheRetryCheck() {
    UnaryOperator<BackendSession> unretryable = FailingUnretryably::new;

    assertThatThrownBy(
            () ->
                run(
                    unretryable,
                    kit ->
                        kit.new Retries()
                            .aBatchThatFailedWhileTheBackendWasDownIsStoredOnceWhenRetried()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("must not throw IllegalArgumentException");
  }

  @Test
  void storingABatchAndThenFailingFailsTheRetryCheck() {
    UnaryOperator<BackendSession> duplicating = StoringThenFailing::new;

    assertThatThrownBy(
            () ->
                run(
                    duplicating,
                    kit ->
                        kit.new Retries()
                            .aBatchThatFailedWhileTheBackendWasDownIsStoredOnceWhenRetried()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("every point exactly once");
  }

  @Test
  void openingWhileDownFailsTheOpenRetryCheck() {
    assertThatThrownBy(
            () ->
                run(
                    session -> session,
                    readback -> readback,
                    false,
                    kit ->
                        kit.new Retries().openWhileTheBackendIsDownThrowsAndSucceedsOnceItIsBack()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("open() while the backend is down must throw");
  }

  @Test
  void startingAResumedRunAfreshFailsTheResumeCheck() {
    UnaryOperator<BackendSession> forgetting = session -> session;

    assertThatThrownBy(
            () ->
                run(
                    forgetting,
                    readback -> readback,
                    true,
                    kit -> kit.new Retries().aResumedRunContinuesWhereItStopped(),
                    true))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("resumed after step 4");
  }

  @Test
  void withoutAnOutageTheOutageChecksAreSkippedVisibly() {
    BrokenKit kit = new BrokenKit(session -> session, readback -> readback, null, false);
    assertThatThrownBy(
            () -> {
              kit.setUpKit(Files.createTempDirectory(scratch, "kit-"));
              kit.new Retries().aBatchThatFailedWhileTheBackendWasDownIsStoredOnceWhenRetried();
            })
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("outage() is empty");
  }

  /** One of the kit's checks, called directly on a set-up kit. */
  private interface Check {
    void run(BrokenKit kit) throws Exception;
  }

  private void run(UnaryOperator<BackendSession> fault, Check check) throws Exception {
    run(fault, readback -> readback, check);
  }

  private void run(
      UnaryOperator<BackendSession> fault, UnaryOperator<RunReadback> readbackFault, Check check)
      throws Exception {
    run(fault, readbackFault, true, check);
  }

  private void run(
      UnaryOperator<BackendSession> fault,
      UnaryOperator<RunReadback> readbackFault,
      boolean openFailsWhileDown,
      Check check)
      throws Exception {
    run(fault, readbackFault, openFailsWhileDown, check, false);
  }

  private void run(
      UnaryOperator<BackendSession> fault,
      UnaryOperator<RunReadback> readbackFault,
      boolean openFailsWhileDown,
      Check check,
      boolean forgetOnResume)
      throws Exception {
    BrokenKit kit =
        new BrokenKit(fault, readbackFault, new Outage(down, openFailsWhileDown), forgetOnResume);
    kit.setUpKit(Files.createTempDirectory(scratch, "kit-"));
    try {
      check.run(kit);
    } finally {
      kit.closeLeftoverSessions();
    }
  }

  /**
   * The kit over the recording backend with a fault wrapped around its sessions. Private, so JUnit
   * never runs it as a test class on its own.
   */
  private static final class BrokenKit extends BackendCompatibilityKit {
    private final UnaryOperator<BackendSession> fault;
    private final UnaryOperator<RunReadback> readbackFault;
    private final @Nullable Outage outage;
    private final boolean forgetOnResume;

    BrokenKit(
        UnaryOperator<BackendSession> fault,
        UnaryOperator<RunReadback> readbackFault,
        @Nullable Outage outage,
        boolean forgetOnResume) {
      this.fault = fault;
      this.readbackFault = readbackFault;
      this.outage = outage;
      this.forgetOnResume = forgetOnResume;
    }

    @Override
    protected BackendPlugin plugin() {
      return new FaultyPlugin(new RecordingBackendPlugin(), fault, outage, forgetOnResume);
    }

    @Override
    protected Optional<BackendOutage> outage() {
      return Optional.ofNullable(outage);
    }

    @Override
    protected boolean resumesRuns() {
      return true;
    }

    @Override
    protected Map<String, String> config(Path scratchDir) {
      return Map.of("max_batch_events", "250");
    }

    @Override
    protected RunReadback readback(String runId) {
      return readbackFault.apply(
          RunReadback.fromStore(
              new RecordingBackendPlugin().openStore(pluginContext()).orElseThrow(), runId));
    }
  }

  /** Whether the backend is down: the recording backend has no server to stop, so a flag. */
  private final AtomicBoolean down = new AtomicBoolean();

  private static final class Outage implements BackendOutage {
    final AtomicBoolean down;
    final boolean openFailsWhileDown;

    Outage(AtomicBoolean down, boolean openFailsWhileDown) {
      this.down = down;
      this.openFailsWhileDown = openFailsWhileDown;
    }

    @Override
    public void begin() {
      down.set(true);
    }

    @Override
    public void end() {
      down.set(false);
    }
  }

  /**
   * The recording backend behind a fault; while the outage is on, its open and log throw a {@link
   * BackendException} as a backend whose server is down does.
   */
  private static final class FaultyPlugin implements BackendPlugin {
    private final BackendPlugin delegate;
    private final UnaryOperator<BackendSession> fault;
    private final @Nullable Outage outage;
    private final boolean forgetOnResume;

    FaultyPlugin(
        BackendPlugin delegate,
        UnaryOperator<BackendSession> fault,
        @Nullable Outage outage,
        boolean forgetOnResume) {
      this.delegate = delegate;
      this.fault = fault;
      this.outage = outage;
      this.forgetOnResume = forgetOnResume;
    }

    @Override
    public PluginMetadata metadata() {
      return delegate.metadata();
    }

    @Override
    public List<ConfigKey> configKeys() {
      return delegate.configKeys();
    }

    @Override
    public BackendSession open(BackendContext context) {
      Outage o = outage;
      if (o != null && o.openFailsWhileDown && o.down.get()) {
        throw new BackendException("recording", "down (kit outage)");
      }
      if (forgetOnResume && context.resumed()) {
        // The fault: a resumed run starts over instead of continuing (the checks here use one
        // run at a time, so forgetting every run forgets just that one).
        RecordingBackendPlugin.reset();
      }
      BackendSession session = delegate.open(context);
      return fault.apply(o == null ? session : new FailingWhileDown(session, o.down));
    }

    @Override
    public Optional<RunStore> openStore(PluginContext context) {
      return delegate.openStore(context);
    }
  }

  /** Passes every call through; the faults below override one method each. */
  private abstract static class ForwardingSession implements BackendSession {
    final BackendSession delegate;

    ForwardingSession(BackendSession delegate) {
      this.delegate = delegate;
    }

    @Override
    public BackendCapabilities capabilities() {
      return delegate.capabilities();
    }

    @Override
    public void log(EventBatch batch) {
      delegate.log(batch);
    }

    @Override
    public ArtifactResult logArtifact(TraceletArtifact artifact) {
      return delegate.logArtifact(artifact);
    }

    @Override
    public Optional<RunStore> store() {
      return delegate.store();
    }

    @Override
    public void close(RunStatus status) {
      delegate.close(status);
    }
  }

  private static final class FailingWhileDown extends ForwardingSession {
    private final AtomicBoolean down;

    FailingWhileDown(BackendSession delegate, AtomicBoolean down) {
      super(delegate);
      this.down = down;
    }

    @Override
    public void log(EventBatch batch) {
      if (down.get()) {
        throw new BackendException("recording", "down (kit outage)");
      }
      delegate.log(batch);
    }

    /** Stores the batch although the backend is "down", then fails: a half-done call. */
    void logThenFail(EventBatch batch) {
      delegate.log(batch);
      if (down.get()) {
        throw new BackendException("recording", "the answer was lost (kit outage)");
      }
    }
  }

  private static final class SwallowingFailures extends ForwardingSession {
    SwallowingFailures(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      try {
        delegate.log(batch);
      } catch (BackendException e) {
        // The fault: a failure is logged and forgotten, so the host never retries the batch.
      }
    }
  }

  private static final class FailingUnretryably extends ForwardingSession {
    FailingUnretryably(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      try {
        delegate.log(batch);
      } catch (BackendException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }

  private static final class StoringThenFailing extends ForwardingSession {
    StoringThenFailing(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      ((FailingWhileDown) delegate).logThenFail(batch);
    }
  }

  private static final class DroppingEverySecondMetric extends ForwardingSession {
    private long seen;

    DroppingEverySecondMetric(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      List<MetricEvent> kept = new ArrayList<>();
      for (MetricEvent m : batch.metrics()) {
        if (seen++ % 2 == 0) {
          kept.add(m);
        }
      }
      delegate.log(new EventBatch(kept, batch.params(), batch.tags()));
    }
  }

  private static final class ZeroingNan extends ForwardingSession {
    ZeroingNan(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      List<MetricEvent> metrics = new ArrayList<>();
      for (MetricEvent m : batch.metrics()) {
        double value = Double.isNaN(m.value()) ? 0.0 : m.value();
        metrics.add(new MetricEvent(m.name(), value, m.step(), m.timestamp()));
      }
      delegate.log(new EventBatch(metrics, batch.params(), batch.tags()));
    }
  }

  private static final class CuttingParamValues extends ForwardingSession {
    CuttingParamValues(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      List<ParamEvent> params = new ArrayList<>();
      for (ParamEvent p : batch.params()) {
        String value = p.valueAsString();
        params.add(new ParamEvent(p.key(), value.length() > 500 ? value.substring(0, 500) : value));
      }
      delegate.log(new EventBatch(batch.metrics(), params, batch.tags()));
    }
  }

  private static final class AlwaysFinished extends ForwardingSession {
    AlwaysFinished(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void close(RunStatus status) {
      delegate.close(RunStatus.FINISHED);
    }
  }

  private static final class SwallowingAfterClose extends ForwardingSession {
    SwallowingAfterClose(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      try {
        delegate.log(batch);
      } catch (IllegalStateException closed) {
        // The fault: a closed session pretends to accept the batch.
      }
    }
  }

  /** Holds each batch back until the next one comes, and forgets the last one on close. */
  private static final class BufferingWithoutFlush extends ForwardingSession {
    private @Nullable EventBatch held;

    BufferingWithoutFlush(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public void log(EventBatch batch) {
      if (held != null) {
        delegate.log(held);
      }
      held = batch;
    }
  }

  private static final class LosingArtifacts extends ForwardingSession {
    LosingArtifacts(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public ArtifactResult logArtifact(TraceletArtifact artifact) {
      return new ArtifactResult("recording", "lost://" + artifact.name(), "1", Map.of());
    }
  }

  private static final class WithoutArtifacts extends ForwardingSession {
    WithoutArtifacts(BackendSession delegate) {
      super(delegate);
    }

    @Override
    public BackendCapabilities capabilities() {
      return delegate.capabilities().withArtifacts(false);
    }
  }

  private static final class IntoFirstRun extends ForwardingSession {
    private final BackendSession target;

    IntoFirstRun(BackendSession delegate, @Nullable BackendSession target) {
      super(delegate);
      this.target = target == null ? delegate : target;
    }

    @Override
    public void log(EventBatch batch) {
      target.log(batch);
    }
  }
}
