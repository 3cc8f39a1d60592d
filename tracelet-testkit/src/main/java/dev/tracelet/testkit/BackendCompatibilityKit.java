package dev.tracelet.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tracelet.api.BackendException;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.PluginContext;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.MetricPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility suite every Tracelet backend runs, after Micrometer's {@code
 * MeterRegistryCompatibilityKit}: extend it, say how to build the plugin, its settings and how to
 * read a run back, and JUnit runs every {@link Nested} group below against the backend.
 *
 * <pre>{@code
 * class MyBackendCompatibilityTest extends BackendCompatibilityKit {
 *   @Override protected BackendPlugin plugin() { return new MyBackendPlugin(); }
 *   @Override protected Map<String, String> config(Path scratchDir) {
 *     return Map.of("dir", scratchDir.resolve("runs").toString());
 *   }
 *   @Override protected RunReadback readback(String runId) {
 *     return RunReadback.fromStore(plugin().openStore(pluginContext()).orElseThrow(), runId);
 *   }
 * }
 * }</pre>
 *
 * <p>Each check opens its own run(s) with a {@link TestBackendContext} (a fresh run id, the
 * settings from {@link #config(Path)}, a scratch directory inside a {@code @TempDir}), delivers
 * events as the host would (one call at a time per session, batches split to {@link
 * BackendCapabilities#maxBatchEvents()}), closes the session and only then asks {@link
 * #readback(String)} what the backend stored. Sessions a check leaves open are closed with {@link
 * RunStatus#KILLED} afterwards.
 *
 * <p><b>The rules the kit enforces</b>, beyond the SPI's javadoc:
 *
 * <ul>
 *   <li><b>Nothing changes on the way.</b> Metric points come back with the same step and the same
 *       value (compared as {@link Double#compare} does, so {@code -0.0} is not {@code 0.0}), in
 *       step order; timestamps within {@link #timestampResolution()}; parameters as {@link
 *       ParamEvent#valueAsString()}; a tag's last value wins. Backends may add parameters and tags
 *       of their own.
 *   <li><b>NaN and infinities</b> are stored as exactly that value, or {@link BackendSession#log}
 *       throws an {@link IllegalArgumentException} or {@link BackendException} whose message names
 *       the metric's key, stores nothing under that key, and the session keeps working. Storing
 *       {@code null}, {@code 0}, a huge finite number or nothing while {@code log} returns normally
 *       fails.
 *   <li><b>Keys</b> with dots, slashes, dashes and spaces ({@code train.loss}, {@code val/acc},
 *       {@code learning-rate}, {@code top 5 accuracy}) are stored under exactly that key.
 *   <li><b>An empty batch</b> is accepted and stores nothing.
 *   <li><b>A very long parameter value</b> (10,000 characters) never makes {@code log} throw nor
 *       costs the batch's other events; it is stored whole, or cut to exactly the first {@link
 *       #maxParamValueLength()} characters when the backend declares a limit.
 *   <li><b>Close.</b> Everything logged before {@link BackendSession#close(RunStatus)} is readable
 *       after it (a session that buffers must flush on close), and the run ends with the status
 *       given. {@code log} after close throws a {@link RuntimeException} ({@link
 *       IllegalStateException} preferred) and stores nothing: the kit calls this <em>rejected</em>.
 *       A second close does not throw and does not change the status.
 *   <li><b>Sessions</b> of different runs may be open and used on different threads at once;
 *       nothing one of them logs shows up in the other's run.
 *   <li><b>Resume</b> (when {@link #resumesRuns()}). A session opened with {@link
 *       dev.tracelet.api.plugin.BackendContext#resumed() resumed} and the run id of a run that was
 *       closed {@link RunStatus#KILLED} (what the host does when a process stops and a new one
 *       continues the run, replaying what it journaled) continues that run: what was stored before
 *       is kept, what the new session logs is added, and its close sets the status again.
 *   <li><b>Retries</b> (with an {@link #outage()}). While the backend is down, {@code log} throws
 *       something other than {@link IllegalArgumentException} (the host drops a batch that draws
 *       one, and retries every other failure); once it is back, the same batch logged again is
 *       stored exactly once and the session goes on. {@code open} while the backend is down throws,
 *       and the same context opens once it is back.
 * </ul>
 *
 * <p>Optional features are skipped with a visible {@link org.junit.jupiter.api.Assumptions
 * assumption} message, never passed silently: artifacts when {@link
 * BackendCapabilities#artifacts()} is false or {@link RunReadback#readsArtifacts()} is false,
 * status checks when {@link RunReadback#status()} is empty, the resume check unless {@link
 * #resumesRuns()}, outage checks when {@link #outage()} is empty. A batch of exactly {@code
 * maxBatchEvents} events is sent as is, up to 100,000 events.
 */
public abstract class BackendCompatibilityKit {
  /** Event timestamps start here (14 Nov 2023), so runs are reproducible without a clock. */
  static final long BASE_TIMESTAMP = 1_700_000_000_000L;

  private static final int FULL_BATCH_CAP = 100_000;
  private static final int LONG_PARAM_LENGTH = 10_000;
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);
  private static final Pattern PLUGIN_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
  private static final Pattern ENV_VAR = Pattern.compile("[A-Z][A-Z0-9_]*");

  // Made on first use, after the subclass's own @BeforeEach methods (a mock server) have run.
  private @Nullable BackendPlugin plugin;
  private @Nullable Map<String, String> config;
  private @Nullable Path scratchDir;
  private final List<KitRun> openedRuns = new ArrayList<>();
  private @Nullable BackendOutage outageInProgress;
  private final AtomicInteger sessionCount = new AtomicInteger();

  /**
   * A new instance of the backend under test; the kit calls it once per check, on first use, so
   * after the subclass's own {@code @BeforeEach} methods.
   */
  protected abstract BackendPlugin plugin();

  /**
   * The backend's settings, without the {@code <backend>.} prefix; called once per check, on first
   * use, after the subclass's own {@code @BeforeEach} methods.
   *
   * @param scratchDir a fresh directory the backend may keep its files in
   */
  protected abstract Map<String, String> config(Path scratchDir);

  /**
   * A view of what the backend stored for run {@code runId}, asked after its session was closed.
   * Use {@link RunReadback#fromStore} when the backend has a read side, with {@link
   * #pluginContext()} to open it.
   */
  protected abstract RunReadback readback(String runId);

  /**
   * The longest parameter value the backend keeps; longer ones must be stored as exactly their
   * first this-many characters. The default, {@link Integer#MAX_VALUE}, means values are kept
   * whole. (The SPI's {@link BackendCapabilities} has no such limit yet.)
   */
  protected int maxParamValueLength() {
    return Integer.MAX_VALUE;
  }

  /**
   * How far a stored timestamp may be from the logged one: the default of 1 ms means exactly;
   * override for a backend that keeps seconds.
   */
  protected Duration timestampResolution() {
    return Duration.ofMillis(1);
  }

  /**
   * Whether the backend continues a run when a session is opened with {@link
   * dev.tracelet.api.plugin.BackendContext#resumed()} true. The host does that when a process
   * continues a run ({@code TRACELET_RUN_ID}) and to replay events it journaled while the backend
   * was down, so a backend should; override to return true once it does. False (the default) skips
   * the resume check with a message.
   */
  protected boolean resumesRuns() {
    return false;
  }

  /**
   * A way to take the backend down and bring it back, for the {@code Retries} checks; empty (the
   * default) skips those checks with a message. Called once per check that needs it, after {@link
   * #config(Path)}, so it can use {@link #scratchDir()} or the subclass's mock server.
   */
  protected Optional<BackendOutage> outage() {
    return Optional.empty();
  }

  /** This check's scratch directory, the one {@link #config(Path)} was given. */
  protected final Path scratchDir() {
    Path dir = scratchDir;
    if (dir == null) {
      throw new IllegalStateException("the kit is not set up; JUnit calls setUpKit() first");
    }
    return dir;
  }

  /**
   * A context with this check's settings and a scratch directory of its own, for {@link
   * BackendPlugin#openStore(PluginContext)} in {@link #readback(String)}.
   */
  protected final PluginContext pluginContext() {
    return TestBackendContext.builder(newDirectory("store-" + sessionCount.incrementAndGet()))
        .config(settings())
        .build();
  }

  /** Gives this check its scratch directory; JUnit calls it before every check. */
  @BeforeEach
  protected final void setUpKit(@TempDir Path tempDir) {
    scratchDir = tempDir;
    plugin = null;
    config = null;
  }

  /** Closes, as {@link RunStatus#KILLED}, the sessions a check left open. */
  @AfterEach
  protected final void closeLeftoverSessions() {
    BackendOutage outage = outageInProgress;
    if (outage != null) {
      // A check failed during an outage: the backend must be back before sessions are closed.
      try {
        endOutage(outage);
      } catch (Exception e) {
        // The check's own failure is the one to report.
      }
    }
    List<KitRun> runs;
    synchronized (openedRuns) {
      runs = List.copyOf(openedRuns);
      openedRuns.clear();
    }
    for (KitRun run : runs) {
      if (!run.closed) {
        try {
          run.session.close(RunStatus.KILLED);
        } catch (RuntimeException e) {
          // The check has already passed or failed on its own; cleanup must not mask that.
        }
      }
    }
  }

  /** Open, log and close, and the plugin's description of itself. */
  @Nested
  class Lifecycle {
    @Test
    void metadataDescribesABackend() {
      PluginMetadata metadata = backend().metadata();
      assertThat(metadata).as("metadata()").isNotNull();
      assertThat(metadata.name()).as("metadata().name()").matches(PLUGIN_NAME);
      assertThat(metadata.type()).as("metadata().type()").isEqualTo(PluginType.BACKEND);
      assertThat(metadata.version()).as("metadata().version()").isNotBlank();
      assertThat(metadata.description()).as("metadata().description()").isNotBlank();
    }

    @Test
    void configKeysAreWellFormed() {
      List<ConfigKey> keys = backend().configKeys();
      Set<String> names = new HashSet<>();
      for (ConfigKey key : keys) {
        assertThat(names.add(key.name()))
            .as("config key %s is declared twice", key.name())
            .isTrue();
        assertThat(key.description()).as("description of config key %s", key.name()).isNotBlank();
        if (key.secret()) {
          assertThat(key.defaultValue())
              .as("secret config key %s must not have a default value", key.name())
              .isNull();
        }
        for (String env : key.envVars()) {
          assertThat(env).as("environment variable of config key %s", key.name()).matches(ENV_VAR);
        }
      }
      assertThat(names)
          .as("every setting config(scratchDir) passes must be declared by configKeys()")
          .containsAll(settings().keySet());
    }

    @Test
    void capabilitiesMatchTheReadSide() {
      KitRun run = open("capabilities");
      BackendCapabilities capabilities = run.capabilities();
      assertThat(capabilities).as("capabilities()").isNotNull();
      assertThat(run.session.capabilities())
          .as("capabilities() must not change while the session is open")
          .isEqualTo(capabilities);
      assertThat(run.session.store().isPresent())
          .as("store() is present exactly when capabilities().readSupport() is true")
          .isEqualTo(capabilities.readSupport());
      run.close(RunStatus.FINISHED);
    }

    @Test
    void closeFinishedEndsTheRunFinished() {
      endsWith(RunStatus.FINISHED);
    }

    @Test
    void closeFailedEndsTheRunFailed() {
      endsWith(RunStatus.FAILED);
    }

    @Test
    void closeKilledEndsTheRunKilled() {
      endsWith(RunStatus.KILLED);
    }

    private void endsWith(RunStatus status) {
      KitRun run = open("lifecycle-" + status.name().toLowerCase(java.util.Locale.ROOT));
      run.log(
          batch(
              List.of(metric("loss", 0.75, 1)),
              List.of(new ParamEvent("optimizer", "adam")),
              List.of(new TagEvent("stage", "lifecycle"))));
      run.close(status);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss"))).as("metric loss").containsExactly(p(1, 0.75));
      assertThat(stored.params()).as("params").containsEntry("optimizer", "adam");
      assertThat(stored.tags()).as("tags").containsEntry("stage", "lifecycle");
      assertStatus(stored, status);
    }
  }

  /** Batches up to the declared limit, and many of them. */
  @Nested
  class Batching {
    @Test
    void aFullBatchArrivesWhole() {
      KitRun run = open("batching-full");
      int size = Math.min(run.capabilities().maxBatchEvents(), FULL_BATCH_CAP);
      int paramCount = size >= 10 ? 3 : 0;
      int tagCount = size >= 10 ? 2 : 0;
      int metricCount = size - paramCount - tagCount;
      int keyCount = Math.min(4, metricCount);
      List<MetricEvent> metrics = new ArrayList<>();
      Map<String, List<Point>> expected = new LinkedHashMap<>();
      for (int i = 0; i < metricCount; i++) {
        String key = "full_" + (i % keyCount);
        long step = i / keyCount;
        double value = i * 0.5;
        metrics.add(metric(key, value, step));
        expected.computeIfAbsent(key, k -> new ArrayList<>()).add(p(step, value));
      }
      List<ParamEvent> params = new ArrayList<>();
      for (int i = 0; i < paramCount; i++) {
        params.add(new ParamEvent("full_param_" + i, "value-" + i));
      }
      List<TagEvent> tags = new ArrayList<>();
      for (int i = 0; i < tagCount; i++) {
        tags.add(new TagEvent("full_tag_" + i, "tag-" + i));
      }
      EventBatch full = batch(metrics, params, tags);
      assertThat(full.size()).isEqualTo(size);

      run.session.log(full);
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      expected.forEach(
          (key, points) ->
              assertThat(points(stored.metric(key)))
                  .as("metric %s of one batch of %d events (maxBatchEvents)", key, size)
                  .containsExactlyElementsOf(points));
      for (ParamEvent param : params) {
        assertThat(stored.params()).containsEntry(param.key(), param.valueAsString());
      }
      for (TagEvent tag : tags) {
        assertThat(stored.tags()).containsEntry(tag.key(), tag.value());
      }
    }

    @Test
    void severalMetricsAtOneStepAllArrive() {
      KitRun run = open("batching-one-step");
      run.log(
          metrics(
              metric("loss", 0.25, 7),
              metric("accuracy", 0.875, 7),
              metric("learning_rate", 0.001, 7)));
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss"))).as("loss at step 7").containsExactly(p(7, 0.25));
      assertThat(points(stored.metric("accuracy")))
          .as("accuracy at step 7")
          .containsExactly(p(7, 0.875));
      assertThat(points(stored.metric("learning_rate")))
          .as("learning_rate at step 7")
          .containsExactly(p(7, 0.001));
    }

    @Test
    void stepZeroIsKept() {
      KitRun run = open("batching-step-zero");
      run.log(metrics(metric("loss", 2.5, 0), metric("loss", 1.5, 1)));
      run.close(RunStatus.FINISHED);

      assertThat(points(run.readback().metric("loss")))
          .as("step 0 is a valid step: neither dropped nor renumbered")
          .containsExactly(p(0, 2.5), p(1, 1.5));
    }

    @Test
    void pointsOfOneKeyKeepTheirOrder() {
      KitRun run = open("batching-order");
      List<Point> loss = new ArrayList<>();
      List<Point> accuracy = new ArrayList<>();
      for (int b = 0; b < 6; b++) {
        List<MetricEvent> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          long step = b * 10L + i;
          double lossValue = 1.0 / (step + 3);
          double accuracyValue = 1.0 - lossValue;
          events.add(metric("loss", lossValue, step));
          events.add(metric("accuracy", accuracyValue, step));
          loss.add(p(step, lossValue));
          accuracy.add(p(step, accuracyValue));
        }
        run.log(EventBatch.ofMetrics(events));
      }
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss")))
          .as("loss, 60 points interleaved with accuracy over 6 batches")
          .containsExactlyElementsOf(loss);
      assertThat(points(stored.metric("accuracy")))
          .as("accuracy, 60 points interleaved with loss over 6 batches")
          .containsExactlyElementsOf(accuracy);
    }

    @Test
    void tenBatchesInARowAllArrive() {
      KitRun run = open("batching-ten");
      List<Point> loss = new ArrayList<>();
      for (int b = 0; b < 10; b++) {
        List<MetricEvent> metrics = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          long step = b * 5L + i;
          metrics.add(metric("loss", step * 0.125, step));
          loss.add(p(step, step * 0.125));
        }
        run.log(
            batch(
                metrics,
                List.of(new ParamEvent("param_" + b, (long) b)),
                List.of(new TagEvent("phase", "phase-" + b), new TagEvent("batch_" + b, "yes"))));
      }
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss")))
          .as("loss over 10 batches")
          .containsExactlyElementsOf(loss);
      Map<String, String> params = stored.params();
      Map<String, String> tags = stored.tags();
      for (int b = 0; b < 10; b++) {
        assertThat(params).as("params").containsEntry("param_" + b, Long.toString(b));
        assertThat(tags).as("tags").containsEntry("batch_" + b, "yes");
      }
      assertThat(tags).as("a tag's last value wins").containsEntry("phase", "phase-9");
    }

    @Test
    void timestampsAreKept() {
      KitRun run = open("batching-timestamps");
      List<MetricEvent> events = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        events.add(new MetricEvent("timed", i, i, BASE_TIMESTAMP + 1_234 + i * 60_007L));
      }
      run.log(EventBatch.ofMetrics(events));
      run.close(RunStatus.FINISHED);

      List<MetricPoint> stored = run.readback().metric("timed");
      assertThat(stored).as("points of metric timed").hasSize(events.size());
      long tolerance = timestampResolution().toMillis();
      for (int i = 0; i < events.size(); i++) {
        long logged = events.get(i).timestamp();
        assertThat(Math.abs(stored.get(i).timestamp() - logged))
            .as(
                "timestamp of step %d: logged %d, stored %d (resolution %d ms)",
                i, logged, stored.get(i).timestamp(), tolerance)
            .isLessThan(Math.max(1, tolerance));
      }
    }
  }

  /** What close guarantees, and what happens after it. */
  @Nested
  class CloseSemantics {
    @Test
    void everythingLoggedBeforeCloseIsReadableAfterIt() {
      KitRun run = open("close-flushes");
      List<Point> loss = new ArrayList<>();
      for (int b = 0; b < 5; b++) {
        run.log(metrics(metric("loss", b * 0.25, b)));
        loss.add(p(b, b * 0.25));
      }
      // The last batch goes in right before close: a session that buffers must flush it.
      run.log(
          batch(
              List.of(metric("final_loss", 0.0625, 5)),
              List.of(new ParamEvent("last_param", "sent-just-before-close")),
              List.of(new TagEvent("last_tag", "sent-just-before-close"))));
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss"))).as("loss").containsExactlyElementsOf(loss);
      assertThat(points(stored.metric("final_loss")))
          .as("a metric logged right before close")
          .containsExactly(p(5, 0.0625));
      assertThat(stored.params())
          .as("a param logged right before close")
          .containsEntry("last_param", "sent-just-before-close");
      assertThat(stored.tags())
          .as("a tag logged right before close")
          .containsEntry("last_tag", "sent-just-before-close");
    }

    @Test
    void logAfterCloseIsRejected() {
      KitRun run = open("close-then-log");
      run.log(metrics(metric("before_close", 1.0, 1)));
      run.close(RunStatus.FINISHED);

      Throwable rejection =
          catchThrowable(() -> run.session.log(metrics(metric("after_close", 2.0, 2))));
      assertThat(rejection)
          .as("log() after close() must throw (IllegalStateException preferred)")
          .isInstanceOf(RuntimeException.class);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("before_close"))).containsExactly(p(1, 1.0));
      assertThat(stored.metric("after_close"))
          .as("a batch logged after close must not be stored")
          .isEmpty();
    }

    @Test
    void aSecondCloseIsHarmless() {
      KitRun run = open("close-twice");
      run.log(metrics(metric("loss", 0.5, 1)));
      run.close(RunStatus.FINISHED);

      assertThatCode(() -> run.session.close(RunStatus.FAILED))
          .as("a second close() must not throw")
          .doesNotThrowAnyException();

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss"))).containsExactly(p(1, 0.5));
      assertStatus(stored, RunStatus.FINISHED);
    }
  }

  /** Values and names a careless backend mangles. */
  @Nested
  class BadInput {
    @Test
    void nanIsStoredOrClearlyRejected() {
      storedOrClearlyRejected(Double.NaN, "nan");
    }

    @Test
    void positiveInfinityIsStoredOrClearlyRejected() {
      storedOrClearlyRejected(Double.POSITIVE_INFINITY, "positive_infinity");
    }

    @Test
    void negativeInfinityIsStoredOrClearlyRejected() {
      storedOrClearlyRejected(Double.NEGATIVE_INFINITY, "negative_infinity");
    }

    @Test
    void keysWithDotsSlashesDashesAndSpacesAreKept() {
      List<String> keys = List.of("train.loss", "val/accuracy", "learning-rate", "top 5 accuracy");
      List<MetricEvent> metrics = new ArrayList<>();
      List<ParamEvent> params = new ArrayList<>();
      List<TagEvent> tags = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        metrics.add(metric(keys.get(i), i + 0.5, 3));
        params.add(new ParamEvent("param " + keys.get(i), "value-" + i));
        tags.add(new TagEvent("tag " + keys.get(i), "tag-" + i));
      }
      KitRun run = open("bad-input-keys");
      run.log(batch(metrics, params, tags));
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      Map<String, String> storedParams = stored.params();
      Map<String, String> storedTags = stored.tags();
      for (int i = 0; i < keys.size(); i++) {
        String key = keys.get(i);
        assertThat(points(stored.metric(key)))
            .as("metric '%s' stored under exactly that key", key)
            .containsExactly(p(3, i + 0.5));
        assertThat(storedParams)
            .as("param 'param %s' stored under exactly that key", key)
            .containsEntry("param " + key, "value-" + i);
        assertThat(storedTags)
            .as("tag 'tag %s' stored under exactly that key", key)
            .containsEntry("tag " + key, "tag-" + i);
      }
    }

    @Test
    void anEmptyBatchIsAccepted() {
      KitRun run = open("bad-input-empty");
      assertThatCode(() -> run.session.log(EventBatch.empty()))
          .as("log(EventBatch.empty())")
          .doesNotThrowAnyException();
      run.log(metrics(metric("after_empty", 4.5, 1)));
      run.close(RunStatus.FINISHED);

      assertThat(points(run.readback().metric("after_empty")))
          .as("a metric logged after an empty batch")
          .containsExactly(p(1, 4.5));
    }

    @Test
    void aVeryLongParamValueCostsNoOtherEvent() {
      StringBuilder b = new StringBuilder(LONG_PARAM_LENGTH);
      for (int i = 0; b.length() < LONG_PARAM_LENGTH; i++) {
        b.append(i).append(';');
      }
      String value = b.substring(0, LONG_PARAM_LENGTH);
      KitRun run = open("bad-input-long-param");
      EventBatch batch =
          batch(
              List.of(metric("beside_long_param", 1.25, 1)),
              List.of(new ParamEvent("long_param", value), new ParamEvent("short_param", "short")),
              List.of(new TagEvent("beside_long_param", "yes")));
      assertThatCode(() -> run.log(batch))
          .as("log() of a batch with a %d-character param value", LONG_PARAM_LENGTH)
          .doesNotThrowAnyException();
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      Map<String, String> params = stored.params();
      assertThat(params).as("params beside the long one").containsEntry("short_param", "short");
      assertThat(points(stored.metric("beside_long_param")))
          .as("a metric beside the long param")
          .containsExactly(p(1, 1.25));
      assertThat(stored.tags())
          .as("a tag beside the long param")
          .containsEntry("beside_long_param", "yes");
      int keep = Math.min(LONG_PARAM_LENGTH, maxParamValueLength());
      assertThat(params.get("long_param"))
          .as(
              "a %d-character param value, stored whole or as its first maxParamValueLength()=%d"
                  + " characters",
              LONG_PARAM_LENGTH, maxParamValueLength())
          .isEqualTo(value.substring(0, keep));
    }

    private void storedOrClearlyRejected(double special, String label) {
      String key = "special_" + label;
      KitRun run = open("bad-input-" + label);
      EventBatch batch = metrics(metric(key, special, 1), metric("ordinary", 1.5, 1));
      Throwable rejection = catchThrowable(() -> run.log(batch));
      if (rejection == null) {
        run.close(RunStatus.FINISHED);
        RunReadback stored = run.readback();
        assertThat(points(stored.metric(key)))
            .as("log() accepted %s, so it must be stored as exactly %s", key, special)
            .containsExactly(p(1, special));
        assertThat(points(stored.metric("ordinary"))).containsExactly(p(1, 1.5));
        return;
      }
      assertThat(rejection)
          .as("rejecting %s must throw IllegalArgumentException or BackendException", key)
          .isInstanceOfAny(IllegalArgumentException.class, BackendException.class);
      assertThat(rejection.getMessage())
          .as("the message rejecting %s must name the metric", special)
          .contains(key);
      run.log(metrics(metric("after_rejection", 2.5, 2)));
      run.close(RunStatus.FINISHED);
      RunReadback stored = run.readback();
      assertThat(stored.metric(key))
          .as("%s was rejected, so nothing may be stored under it", key)
          .isEmpty();
      assertThat(points(stored.metric("after_rejection")))
          .as("the session must keep working after rejecting %s", key)
          .containsExactly(p(2, 2.5));
    }
  }

  /** Artifact files arrive byte for byte; skipped where the backend or readback has none. */
  @Nested
  class Artifacts {
    @Test
    void filesRoundTripByteForByte() throws IOException {
      KitRun run = open("artifacts");
      assumeTrue(
          run.capabilities().artifacts(),
          "capabilities().artifacts() is false: the backend stores no artifacts, so the artifact"
              + " checks are skipped");
      Path source = newDirectory("artifact-source");
      byte[] blob = new byte[150_000];
      new Random(42).nextBytes(blob);
      Map<String, byte[]> files = new LinkedHashMap<>();
      files.put("data/blob.bin", blob);
      files.put("notes/read me.txt", "notes\nwith ünïcödé\n".getBytes(StandardCharsets.UTF_8));
      files.put("empty.txt", new byte[0]);
      TraceletArtifact artifact =
          new TraceletArtifact("kit-blob", ArtifactType.CUSTOM, "compatibility kit artifact");
      int n = 0;
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path local = source.resolve("file-" + n++);
        Files.write(local, file.getValue());
        artifact.addFile(local, file.getKey(), null);
      }

      ArtifactResult result = run.session.logArtifact(artifact);
      assertThat(result).as("logArtifact() result").isNotNull();
      assertThat(result.backend())
          .as("ArtifactResult.backend() names the backend")
          .isEqualTo(backend().metadata().name());
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assumeTrue(
          stored.readsArtifacts(),
          "readback() does not read artifacts (RunReadback.readsArtifacts() is false), so the"
              + " artifact checks are skipped");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        String path = "kit-blob/" + file.getKey();
        Optional<byte[]> bytes = stored.artifactBytes(path);
        assertThat(bytes).as("artifact file %s", path).isPresent();
        assertThat(bytes.orElseThrow().length)
            .as("size of artifact file %s", path)
            .isEqualTo(file.getValue().length);
        assertThat(sha256(bytes.orElseThrow()))
            .as("SHA-256 of artifact file %s", path)
            .isEqualTo(sha256(file.getValue()));
      }
    }
  }

  /**
   * What the host's retries rely on: a resumed run continues where it stopped, and, with an {@link
   * #outage()}, a call that failed while the backend was down succeeds when retried and stores its
   * batch exactly once.
   */
  @Nested
  class Retries {
    @Test
    void aResumedRunContinuesWhereItStopped() {
      assumeTrue(
          resumesRuns(),
          "resumesRuns() is false: the backend does not declare that it continues a resumed run,"
              + " so the resume check is skipped (the host resumes runs for TRACELET_RUN_ID and to"
              + " replay journaled events)");
      KitRun first = open("retries-resume");
      List<Point> loss = new ArrayList<>();
      List<MetricEvent> before = new ArrayList<>();
      for (long step = 0; step < 5; step++) {
        before.add(metric("loss", 1.0 / (step + 1), step));
        loss.add(p(step, 1.0 / (step + 1)));
      }
      first.log(
          batch(
              before,
              List.of(new ParamEvent("first_session", "yes")),
              List.of(new TagEvent("phase", "before-resume"))));
      // What the host does to runs still open when their process is stopped.
      first.close(RunStatus.KILLED);

      KitRun second = resume(first);
      List<MetricEvent> after = new ArrayList<>();
      for (long step = 5; step < 10; step++) {
        after.add(metric("loss", 1.0 / (step + 1), step));
        loss.add(p(step, 1.0 / (step + 1)));
      }
      second.log(
          batch(
              after,
              List.of(new ParamEvent("second_session", "yes")),
              List.of(new TagEvent("phase", "after-resume"))));
      second.close(RunStatus.FINISHED);

      RunReadback stored = readback(first.runId);
      assertThat(points(stored.metric("loss")))
          .as("loss of a run resumed after step 4: the points of both sessions, in step order")
          .containsExactlyElementsOf(loss);
      assertThat(stored.params())
          .as("params of both sessions of a resumed run")
          .containsEntry("first_session", "yes")
          .containsEntry("second_session", "yes");
      assertThat(stored.tags())
          .as("a tag set again after the resume")
          .containsEntry("phase", "after-resume");
      assertStatus(stored, RunStatus.FINISHED);
    }

    @Test
    void aBatchThatFailedWhileTheBackendWasDownIsStoredOnceWhenRetried() throws Exception {
      BackendOutage outage = requireOutage();
      KitRun run = open("retries-log");
      run.log(metrics(metric("loss", 1.0, 0), metric("loss", 0.75, 1)));
      EventBatch retried =
          batch(
              List.of(metric("loss", 0.5, 2), metric("loss", 0.25, 3)),
              List.of(new ParamEvent("retried_param", "kept")),
              List.of(new TagEvent("retried_tag", "kept")));

      beginOutage(outage);
      Throwable failure = catchThrowable(() -> run.session.log(retried));
      endOutage(outage);

      assertThat(failure)
          .as(
              "log() while the backend is down must throw, so that the host keeps the batch and"
                  + " retries it")
          .isNotNull();
      assertThat(failure)
          .as(
              "log() while the backend is down must not throw IllegalArgumentException: the host"
                  + " drops such a batch without retrying it")
          .isNotInstanceOf(IllegalArgumentException.class);
      assertThatCode(() -> run.session.log(retried))
          .as("log() of the same batch once the backend is back")
          .doesNotThrowAnyException();
      run.log(metrics(metric("loss", 0.125, 4)));
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("loss")))
          .as("loss with steps 2 and 3 retried after an outage: every point exactly once")
          .containsExactly(p(0, 1.0), p(1, 0.75), p(2, 0.5), p(3, 0.25), p(4, 0.125));
      assertThat(stored.params()).as("params").containsEntry("retried_param", "kept");
      assertThat(stored.tags()).as("tags").containsEntry("retried_tag", "kept");
    }

    @Test
    void openWhileTheBackendIsDownThrowsAndSucceedsOnceItIsBack() throws Exception {
      BackendOutage outage = requireOutage();
      TestBackendContext context = newContext("retries-open");

      beginOutage(outage);
      Throwable failure =
          catchThrowable(
              () -> {
                // Tracked, so that a session opened against the rules is still closed.
                track(new KitRun(context, backend().open(context)));
              });
      endOutage(outage);

      assertThat(failure)
          .as(
              "open() while the backend is down must throw (BackendPlugin.open: it throws if the"
                  + " backend cannot be reached), so that the host retries it")
          .isNotNull();
      KitRun run = track(new KitRun(context, backend().open(context)));
      run.log(metrics(metric("opened_after_outage", 3.5, 1)));
      run.close(RunStatus.FINISHED);

      RunReadback stored = run.readback();
      assertThat(points(stored.metric("opened_after_outage")))
          .as("a metric of a run opened, with the same context, once the backend was back")
          .containsExactly(p(1, 3.5));
      assertStatus(stored, RunStatus.FINISHED);
    }

    private BackendOutage requireOutage() {
      Optional<BackendOutage> outage = outage();
      assumeTrue(
          outage.isPresent(),
          "outage() is empty: the test cannot take the backend down, so the checks of log() and"
              + " open() while it is down are skipped");
      return outage.orElseThrow();
    }
  }

  /** Sessions of different runs used at once. */
  @Nested
  class Concurrency {
    @Test
    void twoRunsLoggedFromTwoThreadsStayApart() throws InterruptedException {
      CyclicBarrier together = new CyclicBarrier(2);
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<String> a = pool.submit(logOneRun("a", 1_000.0, together));
        Future<String> b = pool.submit(logOneRun("b", 2_000.0, together));
        String runA = finish(a);
        String runB = finish(b);
        assertRunHoldsOnlyItsOwn(runA, "a", 1_000.0);
        assertRunHoldsOnlyItsOwn(runB, "b", 2_000.0);
      } finally {
        pool.shutdownNow();
      }
    }

    private Callable<String> logOneRun(String who, double offset, CyclicBarrier together) {
      return () -> {
        together.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
        KitRun run = open("concurrency-" + who);
        // Both sessions are open before either logs.
        together.await(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
        for (int b = 0; b < 20; b++) {
          List<MetricEvent> metrics = new ArrayList<>();
          for (int i = 0; i < 5; i++) {
            long step = b * 5L + i;
            metrics.add(metric("shared", offset + step, step));
          }
          run.log(
              batch(
                  metrics, List.of(new ParamEvent("who", who)), List.of(new TagEvent("who", who))));
        }
        run.close(RunStatus.FINISHED);
        return run.runId;
      };
    }

    private void assertRunHoldsOnlyItsOwn(String runId, String who, double offset) {
      List<Point> expected = new ArrayList<>();
      for (long step = 0; step < 100; step++) {
        expected.add(p(step, offset + step));
      }
      RunReadback stored = readback(runId);
      assertThat(points(stored.metric("shared")))
          .as("metric shared of run %s: its own 100 points, none of the other run's", who)
          .containsExactlyElementsOf(expected);
      assertThat(stored.params()).as("params of run %s", who).containsEntry("who", who);
      assertThat(stored.tags()).as("tags of run %s", who).containsEntry("who", who);
    }

    private String finish(Future<String> run) throws InterruptedException {
      try {
        return run.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError("a logging thread failed: " + e.getCause(), e.getCause());
      } catch (TimeoutException e) {
        throw new AssertionError(
            "a logging thread did not finish within " + HANG_GUARD + "; is a session blocked?", e);
      }
    }
  }

  /** A session the kit opened, with the run id it was opened for. */
  private final class KitRun {
    final String runId;
    final String experimentName;
    final BackendSession session;
    volatile boolean closed;

    KitRun(TestBackendContext context, BackendSession session) {
      this.runId = context.runId();
      this.experimentName = context.experimentName();
      this.session = session;
    }

    BackendCapabilities capabilities() {
      return session.capabilities();
    }

    /** Logs as the host would: split into batches of at most {@code maxBatchEvents}. */
    void log(EventBatch batch) {
      int max = session.capabilities().maxBatchEvents();
      if (batch.size() <= max) {
        session.log(batch);
        return;
      }
      List<MetricEvent> metrics = new ArrayList<>();
      List<ParamEvent> params = new ArrayList<>();
      List<TagEvent> tags = new ArrayList<>();
      // Parameters and tags first: the SPI lets a backend receive them before the metrics.
      List<Object> events = new ArrayList<>(batch.params());
      events.addAll(batch.tags());
      events.addAll(batch.metrics());
      for (Object event : events) {
        if (event instanceof ParamEvent param) {
          params.add(param);
        } else if (event instanceof TagEvent tag) {
          tags.add(tag);
        } else {
          metrics.add((MetricEvent) event);
        }
        if (metrics.size() + params.size() + tags.size() == max) {
          session.log(new EventBatch(metrics, params, tags));
          metrics.clear();
          params.clear();
          tags.clear();
        }
      }
      if (!metrics.isEmpty() || !params.isEmpty() || !tags.isEmpty()) {
        session.log(new EventBatch(metrics, params, tags));
      }
    }

    void close(RunStatus status) {
      closed = true;
      session.close(status);
    }

    RunReadback readback() {
      return BackendCompatibilityKit.this.readback(runId);
    }
  }

  /** A metric point without its timestamp, compared as records compare doubles. */
  record Point(long step, double value) {}

  // Synchronized: the concurrency check opens sessions from two threads.
  private synchronized BackendPlugin backend() {
    BackendPlugin p = plugin;
    if (p == null) {
      p = plugin();
      plugin = p;
    }
    return p;
  }

  private synchronized Map<String, String> settings() {
    Map<String, String> c = config;
    if (c == null) {
      c = Map.copyOf(config(scratchDir()));
      config = c;
    }
    return c;
  }

  private KitRun open(String name) {
    TestBackendContext context = newContext(name);
    BackendSession session = backend().open(context);
    assertThat(session).as("open() of run %s", name).isNotNull();
    return track(new KitRun(context, session));
  }

  /** A new session continuing {@code earlier}'s run, as the host opens it on a resume. */
  private KitRun resume(KitRun earlier) {
    TestBackendContext context =
        TestBackendContext.builder(newDirectory("session-" + sessionCount.incrementAndGet()))
            .runId(earlier.runId)
            .experimentName(earlier.experimentName)
            .config(settings())
            .resumed(true)
            .build();
    BackendSession session = backend().open(context);
    assertThat(session).as("open() resuming run %s", earlier.runId).isNotNull();
    return track(new KitRun(context, session));
  }

  private TestBackendContext newContext(String name) {
    return TestBackendContext.builder(newDirectory("session-" + sessionCount.incrementAndGet()))
        .experimentName("kit-" + name)
        .config(settings())
        .build();
  }

  private KitRun track(KitRun run) {
    synchronized (openedRuns) {
      openedRuns.add(run);
    }
    return run;
  }

  private void beginOutage(BackendOutage outage) throws Exception {
    outageInProgress = outage;
    outage.begin();
  }

  private void endOutage(BackendOutage outage) throws Exception {
    outage.end();
    outageInProgress = null;
  }

  private Path newDirectory(String name) {
    try {
      return Files.createDirectories(scratchDir().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertStatus(RunReadback stored, RunStatus expected) {
    Optional<RunStatus> status = stored.status();
    assumeTrue(
        status.isPresent(),
        "readback().status() is empty: the backend reports no run status, so status checks are"
            + " skipped");
    assertThat(status.orElseThrow()).as("status after close(%s)", expected).isEqualTo(expected);
  }

  private static MetricEvent metric(String key, double value, long step) {
    return new MetricEvent(key, value, step, BASE_TIMESTAMP + step);
  }

  private static EventBatch metrics(MetricEvent... metrics) {
    return EventBatch.ofMetrics(List.of(metrics));
  }

  private static EventBatch batch(
      List<MetricEvent> metrics, List<ParamEvent> params, List<TagEvent> tags) {
    return new EventBatch(metrics, params, tags);
  }

  private static Point p(long step, double value) {
    return new Point(step, value);
  }

  private static List<Point> points(List<MetricPoint> stored) {
    List<Point> points = new ArrayList<>(stored.size());
    stored.forEach(m -> points.add(new Point(m.step(), m.value())));
    return points;
  }

  private static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
