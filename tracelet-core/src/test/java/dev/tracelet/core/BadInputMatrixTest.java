package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tracelet.api.ArtifactNotFoundException;
import dev.tracelet.api.ConfigurationException;
import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.Tracelet;
import dev.tracelet.api.artifact.ArtifactResult;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.BackendCapabilities;
import dev.tracelet.api.plugin.BackendContext;
import dev.tracelet.api.plugin.BackendPlugin;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.PluginMetadata;
import dev.tracelet.api.plugin.PluginType;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.dispatch.BackendDelivery;
import dev.tracelet.core.dispatch.DeliveryReport;
import dev.tracelet.core.plugin.PluginReport;
import dev.tracelet.core.plugin.RegisteredBackend;
import dev.tracelet.core.runtime.DefaultExperiment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input matrix of {@code docs/bad-input.md}, one test per row: each feeds one bad input
 * through the public API of an engine and checks two things — what Tracelet does (the exception and
 * that its message names the problem and the fix, or how the input is sanitised), and that the
 * events logged before the bad input still reach the backend. {@link #theDocumentAndTheTestsAgree}
 * keeps the table and this class from drifting apart.
 *
 * <p>Waits are latches and liveness deadlines, never assertions on speed: a test that waits for
 * something to happen gives it a minute, and fails only if it never happens.
 */
class BadInputMatrixTest {
  private static final Path DOC = Path.of("..", "docs", "bad-input.md");
  private static final Path RECORDING_JAR =
      Path.of(System.getProperty("tracelet.test.plugins", "target/test-plugins"))
          .resolve("tracelet-plugin-recording.jar");

  /** How many metric points each test logs before the bad input. */
  private static final int BEFORE = 100;

  private static final int ONE_MIB = 1 << 20;

  @TempDir Path dir;
  private TraceletEngine engine;
  private final FakeBackend fake = new FakeBackend("fake");

  @AfterEach
  void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  // ---- metric values ----

  @Test
  @DisplayName("NaN metric value")
  void nanMetricValue() {
    assertNonFiniteKept(Double.NaN);
  }

  @Test
  @DisplayName("+Inf metric value")
  void positiveInfinityMetricValue() {
    assertNonFiniteKept(Double.POSITIVE_INFINITY);
  }

  @Test
  @DisplayName("-Inf metric value")
  void negativeInfinityMetricValue() {
    assertNonFiniteKept(Double.NEGATIVE_INFINITY);
  }

  private void assertNonFiniteKept(double value) {
    Experiment exp = startWithBefore(Map.of());

    assertThatCode(
            () -> {
              exp.logMetric("loss", value, 7);
              exp.logMetrics(Map.of("loss_row", value), 8);
            })
        .doesNotThrowAnyException();

    endAndAssertBeforeArrived(exp, fake);
    // Kept bit for bit: each backend encodes non-finite values its own way (docs/*.md).
    assertThat(fake.values("loss")).containsExactly(value);
    assertThat(fake.values("loss_row")).containsExactly(value);
    assertThat(fake.metrics).filteredOn(m -> m.name().equals("loss")).singleElement();
  }

  // ---- null names and values ----

  @Test
  @DisplayName("null metric name")
  void nullMetricName() {
    Experiment exp = startWithBefore(Map.of());
    Map<String, Double> row = new HashMap<>();
    row.put(null, 1.0);
    row.put("acc", 0.5);

    assertThatThrownBy(() -> exp.logMetric(null, 1.0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Metric name must not be null")
        .hasMessageContaining("letters, digits");
    assertThatThrownBy(() -> exp.logMetrics(row, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Metric name must not be null");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.values("acc")).as("a refused row logs none of its metrics").isEmpty();
  }

  @Test
  @DisplayName("null metric value")
  void nullMetricValue() {
    Experiment exp = startWithBefore(Map.of());
    Map<String, Double> row = new LinkedHashMap<>();
    row.put("acc", 0.5);
    row.put("loss", null);

    assertThatThrownBy(() -> exp.logMetrics(row, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Metric 'loss' has a null value")
        .hasMessageContaining("leave the metric out");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.values("acc")).as("a refused row logs none of its metrics").isEmpty();
  }

  @Test
  @DisplayName("null parameter name")
  void nullParameterName() {
    Experiment exp = startWithBefore(Map.of());
    Map<String, Object> params = new HashMap<>();
    params.put(null, 1);
    params.put("lr", 0.1);

    assertThatThrownBy(() -> exp.logParams(params))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter name must not be null")
        .hasMessageContaining("letters, digits");
    assertThatThrownBy(() -> exp.logHyperparameter(null, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter name must not be null");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.params).extracting(ParamEvent::key).doesNotContain("lr");
  }

  @Test
  @DisplayName("null parameter value")
  void nullParameterValue() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.logParams(Collections.singletonMap("lr", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'lr' is null")
        .hasMessageContaining("leave the parameter out");
    assertThatThrownBy(() -> exp.logHyperparameter("layers", Arrays.asList(1, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'layers' is null");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.params).extracting(ParamEvent::key).doesNotContain("lr", "layers");
  }

  @Test
  @DisplayName("null tag name")
  void nullTagName() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.setTag(null, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Tag name must not be null")
        .hasMessageContaining("letters, digits");

    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("null tag value")
  void nullTagValue() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.setTag("team", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Tag 'team' has a null value")
        .hasMessageContaining("empty string");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.tags).extracting(TagEvent::key).doesNotContain("team");
  }

  // ---- empty, huge and odd names ----

  @Test
  @DisplayName("empty metric, parameter or tag name")
  void emptyNames() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.logMetric("", 1.0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Metric name must be 1-250 characters, was 0");
    assertThatThrownBy(() -> exp.logParams(Map.of("", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter name must be 1-250 characters, was 0");
    assertThatThrownBy(() -> exp.setTag("", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Tag name must be 1-250 characters, was 0");

    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("1 MB metric name")
  void oneMegabyteMetricName() {
    Experiment exp = startWithBefore(Map.of());
    String huge = "m".repeat(ONE_MIB);

    Throwable thrown = catchThrowable(() -> exp.logMetric(huge, 1.0, 0));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Metric name must be 1-250 characters, was " + ONE_MIB);
    assertThat(thrown.getMessage()).as("the message quotes only the start").hasSizeLessThan(500);
    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("1 MB parameter value")
  void oneMegabyteParameterValue() {
    Experiment exp = startWithBefore(Map.of());
    String atLimit = "p".repeat(ONE_MIB);
    String overLimit = atLimit + "p";

    exp.logParams(Map.of("notes", atLimit));
    Throwable thrown = catchThrowable(() -> exp.logParams(Map.of("essay", overLimit)));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'essay' is " + (ONE_MIB + 1) + " characters long")
        .hasMessageContaining("the limit is " + ONE_MIB)
        .hasMessageContaining("as an artifact instead");
    assertThat(thrown.getMessage()).hasSizeLessThan(500);
    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.params)
        .filteredOn(p -> p.key().equals("notes"))
        .singleElement()
        .satisfies(p -> assertThat(p.valueAsString()).hasSize(ONE_MIB));
    assertThat(fake.params).extracting(ParamEvent::key).doesNotContain("essay");
  }

  @Test
  @DisplayName("1 MB tag value")
  void oneMegabyteTagValue() {
    Experiment exp = startWithBefore(Map.of());
    String atLimit = "t".repeat(ONE_MIB);

    exp.setTag("notes", atLimit);
    Throwable thrown = catchThrowable(() -> exp.setTag("essay", atLimit + "t"));

    assertThat(thrown)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Tag 'essay' is " + (ONE_MIB + 1) + " characters long")
        .hasMessageContaining("the limit is " + ONE_MIB)
        .hasMessageContaining("as an artifact instead");
    assertThat(thrown.getMessage()).hasSizeLessThan(500);
    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.tags)
        .filteredOn(t -> t.key().equals("notes"))
        .singleElement()
        .satisfies(t -> assertThat(t.value()).hasSize(ONE_MIB));
    assertThat(fake.tags).extracting(TagEvent::key).doesNotContain("essay");
  }

  @Test
  @DisplayName("control characters in names")
  void controlCharactersInNames() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.logMetric("loss\n", 1.0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+000A")
        .hasMessageContaining("use letters, digits");
    assertThatThrownBy(() -> exp.logParams(Map.of("lr\u0000", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+0000");
    assertThatThrownBy(() -> exp.setTag("team\u001b[31m", "red"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+001B");
    // A bad name for the next experiment fails before the active one is touched.
    assertThatThrownBy(
            () ->
                engine.startExperiment(
                    StartOptions.builder("second\r\nrun").backends("fake").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Experiment name")
        .hasMessageContaining("without control characters");
    assertThat(engine.activeExperiment()).containsSame(exp);
    assertThat(exp.status()).isEqualTo(RunStatus.RUNNING);

    endAndAssertBeforeArrived(exp, fake);
  }

  // ---- path traversal ----

  @Test
  @DisplayName("path-traversal metric, parameter and tag names")
  void pathTraversalKeys() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.logMetric("../../etc/passwd", 1.0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'..' path segment");
    assertThatThrownBy(() -> exp.logParams(Map.of("/abs/key", 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty, '.' or '..' path segment");
    assertThatThrownBy(() -> exp.setTag("a/./b", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/' between non-empty segments");

    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("path-traversal artifact names and paths")
  void pathTraversalArtifacts() throws IOException {
    Experiment exp = startWithBefore(Map.of());
    Path file = Files.writeString(dir.resolve("weights.bin"), "w");

    assertThatThrownBy(() -> exp.createArtifact("../evil", ArtifactType.MODEL, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a safe relative path");
    assertThatThrownBy(() -> exp.createArtifact("/etc/passwd", ArtifactType.DATASET, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no leading '/'");
    TraceletArtifact a = exp.createArtifact("ok", ArtifactType.MODEL, null);
    assertThatThrownBy(() -> a.addFile(file, "../../outside.bin", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("artifactPath '../../outside.bin' is not a safe relative path");
    assertThatThrownBy(() -> a.addObject(Map.of(), "/tmp/x.json", "json", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a safe relative path");
    assertThatThrownBy(() -> exp.logFileArtifact(file, "../escape/w.bin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("artifactPath '../escape/w.bin' is not a safe relative path");
    assertThatThrownBy(() -> exp.logFileArtifact(file, "/etc/cron.d/w.bin"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("artifactPath '/etc/cron.d/w.bin' is not a safe relative path")
        .hasMessageContaining("no leading '/'");
    // A file name that is not a safe artifact name is sanitised, not refused.
    Path odd = Files.writeString(dir.resolve("my model;v2.bin"), "m");
    Map<String, ArtifactResult> logged = exp.logArtifact(odd);

    assertThat(logged).containsKey("fake");
    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.artifacts).containsExactly("my_model_v2.bin");
  }

  @Test
  @DisplayName("path-traversal model names")
  void pathTraversalModelNames() {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(() -> exp.createArtifact("../../models/evil", ArtifactType.MODEL, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("artifact name '../../models/evil' is not a safe relative path");
    assertThatThrownBy(() -> exp.createArtifact("..", ArtifactType.CHECKPOINT, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no empty, '.' or '..' segments");
    assertThatThrownBy(() -> exp.createArtifact("models/evil", ArtifactType.WEIGHTS, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be one path segment");

    endAndAssertBeforeArrived(exp, fake);
  }

  // ---- values that cannot be written ----

  @Test
  @DisplayName("non-serialisable parameters and artifact objects")
  void nonSerialisableValues() {
    Experiment exp = startWithBefore(Map.of());
    Map<String, Object> cycle = new HashMap<>();
    cycle.put("self", cycle);
    List<Object> loop = new ArrayList<>();
    loop.add(loop);

    assertThatThrownBy(() -> exp.logHyperparameter("optimizer", new ThrowingToString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'optimizer'")
        .hasMessageContaining("toString() threw")
        .hasMessageContaining("toString() is broken on purpose")
        .hasMessageContaining("captureHyperparams");
    assertThatThrownBy(() -> exp.logParams(Map.of("cfg", Map.of(new ThrowingToString(), 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'cfg'")
        .hasMessageContaining("toString() threw");
    assertThatThrownBy(() -> exp.logHyperparameter("cycle", cycle))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'cycle' is nested more than 16 levels deep")
        .hasMessageContaining("contains itself");
    assertThatThrownBy(() -> exp.logHyperparameter("loop", loop))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Parameter 'loop' is nested more than 16 levels deep");
    assertThatThrownBy(() -> exp.logHyperparameter("opaque", new Object()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without a meaningful toString()");
    TraceletArtifact javaSer =
        exp.createArtifact("state", ArtifactType.CHECKPOINT, null)
            .addObject(new HoldsAThread(), "state.ser", "java", null);
    assertThatThrownBy(() -> exp.logArtifact(javaSer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Object 'state.ser'")
        .hasMessageContaining("cannot be written with Java serialisation")
        .hasMessageContaining("json or yaml serializer");
    TraceletArtifact json =
        exp.createArtifact("config", ArtifactType.CONFIG, null)
            .addObject(cycle, "config.json", "json", null);
    assertThatThrownBy(() -> exp.logArtifact(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Object 'config.json' cannot be written as json");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.params).extracting(ParamEvent::key).containsExactly("before_param");
    assertThat(fake.artifacts).isEmpty();
  }

  /** A parameter whose {@code toString} throws, as a half-initialised object's might. */
  static final class ThrowingToString {
    @Override
    public String toString() {
      throw new IllegalStateException("toString() is broken on purpose");
    }
  }

  /** Serializable on paper, but a field is not. */
  static final class HoldsAThread implements Serializable {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("unused")
    final Object worker = new Object();
  }

  // ---- artifact files ----

  @Test
  @DisplayName("missing artifact file")
  void missingArtifactFile() {
    Experiment exp = startWithBefore(Map.of());
    Path missing = dir.resolve("no-such-model.onnx");

    assertThatThrownBy(() -> exp.logArtifact(missing))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining(missing.toAbsolutePath().toString())
        .hasMessageContaining("does not exist")
        .hasMessageContaining("pass an existing file");
    assertThatThrownBy(() -> exp.logFileArtifact(missing, "models/m.onnx"))
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining("does not exist");

    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.artifacts).isEmpty();
  }

  @Test
  @DisplayName("unreadable artifact file (chmod 000)")
  void unreadableArtifactFile() throws IOException {
    Experiment exp = startWithBefore(Map.of());
    Path locked = Files.writeString(dir.resolve("locked.bin"), "secret weights");
    boolean posix =
        Files.getFileAttributeView(locked, java.nio.file.attribute.PosixFileAttributeView.class)
            != null;
    if (posix) {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    }

    Throwable thrown = catchThrowable(() -> exp.logArtifact(locked));

    endAndAssertBeforeArrived(exp, fake);
    Assumptions.assumeTrue(
        posix && !Files.isReadable(locked),
        "skipped: locked.bin is still readable after chmod 000 (running as root, or a file system"
            + " without POSIX permissions), so the refusal cannot be observed here");
    assertThat(thrown)
        .isInstanceOf(ArtifactNotFoundException.class)
        .hasMessageContaining(locked.toAbsolutePath().toString())
        .hasMessageContaining("cannot be read")
        .hasMessageContaining("make it readable");
    assertThat(fake.artifacts).isEmpty();
  }

  // ---- settings ----

  @Test
  @DisplayName("invalid setting: bad duration")
  void badDuration() {
    assertBadSettingRefused(
        Map.of("shutdown_timeout", "soon"),
        "Setting 'shutdown_timeout' = 'soon' (from startLogging config) is not valid",
        "a duration: seconds as a number (1.5) or with a unit (500ms, 2s, 1m, 1h)");
  }

  @Test
  @DisplayName("invalid setting: negative batch size")
  void negativeBatchSize() {
    assertBadSettingRefused(
        Map.of("batch_size", -5),
        "Setting 'batch_size' = '-5' (from startLogging config) is not valid",
        "a whole number of at least 1");
  }

  @Test
  @DisplayName("invalid setting: unknown mode")
  void unknownMode() {
    assertBadSettingRefused(
        Map.of("mode", "sometimes"),
        "Setting 'mode' = 'sometimes' (from startLogging config) is not valid",
        "online or offline");
  }

  @Test
  @DisplayName("invalid setting: unknown backend")
  void unknownBackend() {
    assertBadSettingRefused(
        Map.of("backend", "nosuch"),
        "Backend 'nosuch' is not installed. Installed backends:",
        "Put its plugin JAR into the plugins folder");
  }

  @Test
  @DisplayName("invalid setting: malformed plugins_allowed_sha256")
  void malformedPluginAllowList() throws IOException {
    Experiment exp = startWithBefore(Map.of());
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    Path second = Files.createDirectories(dir.resolve("second"));

    try (TraceletEngine strict =
        EngineFixture.engine(
            second,
            Map.of(
                "tracelet.plugins_dir",
                plugins.toString(),
                "tracelet.plugins_allowed_sha256",
                "not-a-digest"))) {
      assertThatThrownBy(() -> strict.startExperiment(StartOptions.builder("x").build()))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Setting 'plugins_allowed_sha256' holds 'not-a-digest'")
          .hasMessageContaining("expected 64 hex characters per JAR");
      // Fails closed: nothing from the plugin folders is loaded.
      assertThat(strict.registry().all()).allSatisfy(b -> assertThat(b.pluginId()).isNull());
      assertThat(strict.plugins())
          .filteredOn(r -> r.file().endsWith("recording.jar"))
          .singleElement()
          .satisfies(r -> assertThat(r.state()).isEqualTo("REFUSED"));
    }

    endAndAssertBeforeArrived(exp, fake);
  }

  /**
   * A second experiment started with a bad setting fails before anything happens to the active one,
   * which keeps running and delivers.
   */
  private void assertBadSettingRefused(Map<String, ?> config, String problem, String fix) {
    Experiment exp = startWithBefore(Map.of());

    assertThatThrownBy(
            () -> engine.startExperiment(StartOptions.builder("second").config(config).build()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(problem)
        .hasMessageContaining(fix);

    assertThat(engine.activeExperiment()).containsSame(exp);
    assertThat(exp.status()).isEqualTo(RunStatus.RUNNING);
    exp.logMetric("after", 1.0, 0);
    endAndAssertBeforeArrived(exp, fake);
    assertThat(fake.values("after")).containsExactly(1.0);
  }

  // ---- plugin JARs ----

  @Test
  @DisplayName("corrupt plugin JAR (truncated zip)")
  void corruptPluginJar() throws IOException {
    Experiment exp = startWithPluginFolder();
    byte[] whole = Files.readAllBytes(RECORDING_JAR);

    PluginReport report = dropJar("truncated.jar", Arrays.copyOf(whole, whole.length / 2));

    assertThat(report.state()).isEqualTo("BROKEN");
    assertThat(report.usable()).isFalse();
    assertThat(report.error())
        .contains("not a readable plugin JAR")
        .contains("replace it with a complete copy or remove it")
        .doesNotContain("tracelet-plugins-"); // names the user's file, not a staging copy
    assertThat(engine.problems()).anySatisfy(p -> assertThat(p).contains("truncated.jar"));
    assertOtherPluginsStillLoad();
    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("malicious plugin JAR bundling dev/tracelet/api classes")
  void pluginJarBundlingApiClasses() throws Exception {
    Experiment exp = startWithPluginFolder();
    Map<String, byte[]> entries = backendClasses();
    // Garbage where Tracelet's own API classes would be: defining them would fail at once.
    entries.put("dev/tracelet/api/plugin/BackendPlugin.class", "not a class".getBytes());
    entries.put("dev/tracelet/api/Tracelet.class", "not a class".getBytes());

    PluginReport report = dropJar("api-bundler.jar", jar("api-bundler", null, entries));

    assertThat(report.usable()).as(report.toString()).isTrue();
    RegisteredBackend b = engine.registry().find(JarBackend.NAME).orElseThrow();
    assertThat(b.pluginId()).isEqualTo("api-bundler");
    // Its API classes are the host's: the bundled copies are never defined.
    assertThat(b.loader().loadClass(BackendPlugin.class.getName())).isSameAs(BackendPlugin.class);
    assertThat(b.loader().loadClass(Tracelet.class.getName())).isSameAs(Tracelet.class);
    assertThat(b.plugin()).isInstanceOf(BackendPlugin.class);
    assertThat(b.plugin().getClass().getClassLoader()).isSameAs(b.loader());
    assertOtherPluginsStillLoad();
    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("malicious plugin JAR whose Plugin class throws in its constructor")
  void pluginClassThrowsInConstructor() throws Exception {
    Experiment exp = startWithPluginFolder();
    Map<String, byte[]> entries = backendClasses();
    entries.put(classFile(ExplodingPlugin.class), classBytes(ExplodingPlugin.class));

    PluginReport report =
        dropJar("exploding.jar", jar("exploding", ExplodingPlugin.class.getName(), entries));

    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(report.error())
        .contains("Plugin-Class " + ExplodingPlugin.class.getName() + " could not be created")
        .contains("refusing to be constructed")
        .contains("fix the plugin or remove its JAR");
    assertThat(engine.registry().find(JarBackend.NAME)).isEmpty();
    assertOtherPluginsStillLoad();
    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("malicious plugin JAR whose Plugin class throws in start")
  void pluginClassThrowsInStart() throws Exception {
    Experiment exp = startWithPluginFolder();
    Map<String, byte[]> entries = backendClasses();
    entries.put(classFile(FailingStartPlugin.class), classBytes(FailingStartPlugin.class));

    PluginReport report =
        dropJar(
            "failing-start.jar", jar("failing-start", FailingStartPlugin.class.getName(), entries));

    assertThat(report.state()).isEqualTo("FAILED");
    assertThat(report.error())
        .contains("failed in start()")
        .contains("refusing to start")
        .contains("fix the plugin or remove its JAR");
    assertThat(engine.registry().find(JarBackend.NAME)).isEmpty();
    assertOtherPluginsStillLoad();
    endAndAssertBeforeArrived(exp, fake);
  }

  @Test
  @DisplayName("malicious plugin JAR with zip-slip entry names")
  void pluginJarWithZipSlipEntries() throws Exception {
    Experiment exp = startWithPluginFolder();
    Path absoluteTarget = dir.resolve("absolute-escape.txt").toAbsolutePath();
    Map<String, byte[]> entries = backendClasses();
    entries.put("../../../zip-slip-escape.txt", "escaped".getBytes());
    entries.put("../../plugins/zip-slip.jar", "escaped".getBytes());
    entries.put(absoluteTarget.toString(), "escaped".getBytes());

    PluginReport report = dropJar("zip-slip.jar", jar("zip-slip", null, entries));

    // Nothing is ever extracted: the JAR is copied whole and read by its class loader.
    assertThat(report.usable()).as(report.toString()).isTrue();
    assertThat(engine.registry().find(JarBackend.NAME).orElseThrow().pluginId())
        .isEqualTo("zip-slip");
    assertThat(absoluteTarget).doesNotExist();
    for (Path root : List.of(dir, dir.resolve("plugins"), Path.of("").toAbsolutePath())) {
      assertThat(root.resolve("../../../zip-slip-escape.txt").normalize()).doesNotExist();
      assertThat(root.resolve("../../plugins/zip-slip.jar").normalize()).doesNotExist();
    }
    assertOtherPluginsStillLoad();
    endAndAssertBeforeArrived(exp, fake);
  }

  // ---- plugins that throw ----

  @Test
  @DisplayName("plugin throws in open")
  void pluginThrowsInOpen() throws InterruptedException {
    FakeBackend refusing = new FakeBackend("refusing");
    refusing.failOpen = true;
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "500ms"), refusing, fake);
    logBefore(exp);

    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);

    assertThat(fake.values("before")).hasSize(BEFORE);
    BackendDelivery r = report.backends().get(0);
    assertThat(r.lastError()).contains("open refused by test");
    assertThat(r.lost()).isZero();
    // Pending or already journaled, depending on where the worker's retry loop was at the end.
    assertThat(r.undelivered()).isEqualTo(BEFORE + 2);
    String worker = "tracelet-refusing-" + exp.id().substring(0, 8);
    awaitTrue(
        () ->
            Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals(worker)),
        "the refusing backend's worker to journal its events and stop");
    assertThat(dir.resolve("journal").resolve(exp.id()).resolve("refusing.journal"))
        .isRegularFile();
    // Nothing lost: resuming the run once the backend opens replays its journal.
    refusing.failOpen = false;
    Experiment resumed =
        engine.startExperiment(
            StartOptions.builder("exp")
                .backends("refusing")
                .config(Map.of("run_id", exp.id()))
                .build());
    assertThat(resumed.id()).isEqualTo(exp.id());
    endAndAssertBeforeArrived(resumed, refusing);
  }

  @Test
  @DisplayName("plugin throws in log")
  void pluginThrowsInLog() {
    FakeBackend flaky = new FakeBackend("flaky");
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "60s"), flaky, fake);
    flaky.failAlways = true;

    assertThatCode(
            () -> {
              logBefore(exp);
              exp.flush();
            })
        .doesNotThrowAnyException();

    BackendDelivery down = ((DefaultExperiment) exp).deliveryReport().backends().get(0);
    assertThat(down.lastError()).contains("backend flaky is down");
    assertThat(down.journaled()).isEqualTo(BEFORE + 2);
    assertThat(down.lost()).isZero();
    assertThat(flaky.metrics).isEmpty();
    // The backend recovers: ending the run replays the journal into it.
    flaky.failAlways = false;
    endAndAssertBeforeArrived(exp, flaky, fake);
  }

  @Test
  @DisplayName("plugin throws IllegalArgumentException in log")
  void pluginRefusesABatchInLog() {
    Experiment exp = startWithBefore(Map.of());
    exp.flush();
    fake.rejectInvalid = true;

    assertThatCode(
            () -> {
              exp.logMetric("unstorable", 1.0, 0);
              exp.flush();
            })
        .doesNotThrowAnyException();

    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    BackendDelivery r = report.backends().get(0);
    assertThat(r.failed()).as("refused for good, counted, not retried").isEqualTo(1);
    assertThat(r.lastError()).contains("cannot store this batch");
    assertBeforeArrived(fake);
  }

  @Test
  @DisplayName("plugin throws in close")
  void pluginThrowsInClose() {
    fake.failClose = true;
    Experiment exp = startWithBefore(Map.of());

    assertThatCode(exp::close).doesNotThrowAnyException();

    assertThat(exp.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(fake.closed).containsExactly(RunStatus.FINISHED);
    assertThat(((DefaultExperiment) exp).deliveryReport().backends().get(0).lastError())
        .contains("close refused by test");
    assertBeforeArrived(fake);
  }

  // ---- plugins that hang ----

  @Test
  @DisplayName("plugin hangs in open")
  void pluginHangsInOpen() throws InterruptedException {
    fake.openGate = new CountDownLatch(1);
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "200ms"), fake);

    Thread training = trainingThread(exp);

    assertThat(fake.openGate.getCount()).as("open is still blocked").isEqualTo(1);
    assertThat(fake.contexts).isEmpty();
    fake.openGate.countDown();
    awaitTrue(() -> beforeArrived(fake), "the queued events after open");
    endAndAssertBeforeArrived(exp, fake);
    assertThat(training.isAlive()).isFalse();
  }

  @Test
  @DisplayName("plugin hangs in log")
  void pluginHangsInLog() throws InterruptedException {
    fake.gate = new CountDownLatch(1);
    Experiment exp = start(Map.of("tracelet.shutdown_timeout", "200ms"), fake);

    Thread training = trainingThread(exp);

    assertThat(fake.gate.getCount()).as("log is still blocked").isEqualTo(1);
    assertThat(fake.metrics).isEmpty();
    fake.gate.countDown();
    awaitTrue(() -> beforeArrived(fake), "the queued events after log");
    endAndAssertBeforeArrived(exp, fake);
    assertThat(training.isAlive()).isFalse();
  }

  @Test
  @DisplayName("plugin hangs in close")
  void pluginHangsInClose() throws InterruptedException {
    CountDownLatch closeGate = new CountDownLatch(1);
    engine = EngineFixture.engine(dir, Map.of("tracelet.shutdown_timeout", "200ms"), fake);
    engine
        .registry()
        .register(
            new RegisteredBackend(
                "stuck",
                new HangingClose(fake, closeGate),
                getClass().getClassLoader(),
                null,
                "test"));
    Experiment exp = engine.startExperiment(StartOptions.builder("exp").backends("stuck").build());
    logBefore(exp);
    awaitTrue(() -> beforeArrived(fake), "delivery before the end");

    Thread ending = new Thread(exp::close, "ending");
    ending.start();
    ending.join(TimeUnit.MINUTES.toMillis(1));

    assertThat(ending.isAlive()).as("close() returned while the backend hangs in close").isFalse();
    assertThat(closeGate.getCount()).as("the backend is still stuck in close").isEqualTo(1);
    assertThat(exp.status()).isEqualTo(RunStatus.FINISHED);
    assertThat(((DefaultExperiment) exp).deliveryReport().complete()).isTrue();
    assertBeforeArrived(fake);
    closeGate.countDown();
  }

  /**
   * Logs the "before" events and the rest of a training loop on its own thread, flushes, and
   * returns once it is done; fails if it never returns while the backend stays blocked.
   */
  private static Thread trainingThread(Experiment exp) throws InterruptedException {
    Thread t =
        new Thread(
            () -> {
              logBefore(exp);
              for (int i = 0; i < 1_000; i++) {
                exp.logMetric("loop", i, i);
              }
              exp.flush(); // bounded by shutdown_timeout; never throws
            },
            "training");
    t.start();
    t.join(TimeUnit.MINUTES.toMillis(1));
    assertThat(t.isAlive())
        .as("the training thread returned while the backend was blocked")
        .isFalse();
    return t;
  }

  /** Waits, with a liveness deadline, for something the worker does after a backend unblocks. */
  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("waiting for " + what).isNegative();
      Thread.sleep(10); // polling: delivery on the worker thread has no event to wait on
    }
  }

  /** A backend whose sessions deliver to a {@link FakeBackend} but block in close. */
  static final class HangingClose implements BackendPlugin {
    private final FakeBackend inner;
    private final CountDownLatch closeGate;

    HangingClose(FakeBackend inner, CountDownLatch closeGate) {
      this.inner = inner;
      this.closeGate = closeGate;
    }

    @Override
    public PluginMetadata metadata() {
      return new PluginMetadata("stuck", "1.0.0", "hangs in close", PluginType.BACKEND);
    }

    @Override
    public BackendSession open(BackendContext context) {
      BackendSession s = inner.open(context);
      return new BackendSession() {
        @Override
        public BackendCapabilities capabilities() {
          return s.capabilities();
        }

        @Override
        public void log(EventBatch batch) {
          s.log(batch);
        }

        @Override
        public ArtifactResult logArtifact(TraceletArtifact artifact) {
          return s.logArtifact(artifact);
        }

        @Override
        public Optional<RunStore> store() {
          return Optional.empty();
        }

        @Override
        public void close(RunStatus status) {
          try {
            closeGate.await(1, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          s.close(status);
        }
      };
    }
  }

  // ---- the document and the tests agree ----

  /**
   * Every row of {@code docs/bad-input.md} names a test of this class whose display name is the
   * row's input, and every test of this class (but this one) has a row.
   */
  @Test
  void theDocumentAndTheTestsAgree() throws IOException {
    assertThat(DOC).as("docs/bad-input.md, seen from the module directory").isRegularFile();
    Map<String, String> rows = new LinkedHashMap<>(); // method -> input
    Pattern testCell = Pattern.compile("`?BadInputMatrixTest#(\\w+)`?");
    boolean inTable = false;
    for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
      if (!line.startsWith("|")) {
        inTable = false;
        continue;
      }
      List<String> cells = cells(line);
      if (cells.get(0).equalsIgnoreCase("input")) {
        assertThat(cells).hasSize(4);
        inTable = true;
        continue;
      }
      if (!inTable || cells.get(0).matches(":?-+:?")) {
        continue;
      }
      assertThat(cells).as(line).hasSize(4);
      Matcher m = testCell.matcher(cells.get(3));
      assertThat(m.matches()).as("test cell of row '%s' is Class#method", cells.get(0)).isTrue();
      assertThat(rows.put(m.group(1), cells.get(0).replace("`", "")))
          .as("test %s has one row", m.group(1))
          .isNull();
      assertThat(cells.get(1)).as("what Tracelet does, row '%s'", cells.get(0)).isNotBlank();
      assertThat(cells.get(2)).as("why nothing is lost, row '%s'", cells.get(0)).isNotBlank();
    }
    Map<String, String> tests = new LinkedHashMap<>(); // method -> display name
    for (Method m : BadInputMatrixTest.class.getDeclaredMethods()) {
      if (m.isAnnotationPresent(Test.class) && !m.getName().equals("theDocumentAndTheTestsAgree")) {
        DisplayName name = m.getAnnotation(DisplayName.class);
        assertThat(name).as("%s has a @DisplayName", m.getName()).isNotNull();
        tests.put(m.getName(), name.value());
      }
    }
    assertThat(rows).as("rows of docs/bad-input.md").isNotEmpty();
    assertThat(rows.keySet()).as("tests named by the document").isSubsetOf(tests.keySet());
    assertThat(tests.keySet()).as("tests with a row in the document").isSubsetOf(rows.keySet());
    rows.forEach(
        (method, input) ->
            assertThat(tests.get(method)).as("display name of %s", method).isEqualTo(input));
  }

  private static List<String> cells(String line) {
    String inner = line.strip();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    List<String> out = new ArrayList<>();
    for (String c : inner.split("\\|", -1)) {
      out.add(c.strip());
    }
    return out;
  }

  // ---- fixtures ----

  private Experiment start(Map<String, String> props, FakeBackend... backends) {
    engine = EngineFixture.engine(dir, props, backends);
    String[] names = Arrays.stream(backends).map(b -> b.name).toArray(String[]::new);
    return engine.startExperiment(StartOptions.builder("exp").backends(names).build());
  }

  /** An experiment on {@link #fake} that has logged the "before" events. */
  private Experiment startWithBefore(Map<String, String> props) {
    Experiment exp = start(props, fake);
    logBefore(exp);
    return exp;
  }

  /** {@link #BEFORE} metric points, a parameter and a tag. */
  private static void logBefore(Experiment exp) {
    for (int i = 0; i < BEFORE; i++) {
      exp.logMetric("before", i, i);
    }
    exp.logParams(Map.of("before_param", "kept"));
    exp.setTag("before_tag", "kept");
  }

  /** Ends the run and checks that every "before" event reached each backend, in order. */
  private static void endAndAssertBeforeArrived(Experiment exp, FakeBackend... backends) {
    DeliveryReport report = ((DefaultExperiment) exp).end(RunStatus.FINISHED);
    assertThat(report.backends()).allSatisfy(b -> assertThat(b.lost()).as(b.toString()).isZero());
    for (FakeBackend b : backends) {
      assertBeforeArrived(b);
    }
  }

  /** Whether every "before" event has reached {@code b} (checked in full by the assertion). */
  private static boolean beforeArrived(FakeBackend b) {
    return b.values("before").size() == BEFORE && !b.params.isEmpty() && !b.tags.isEmpty();
  }

  private static void assertBeforeArrived(FakeBackend b) {
    assertThat(b.values("before"))
        .as("metric points logged before the bad input, at %s", b.name)
        .isEqualTo(IntStream.range(0, BEFORE).mapToObj(i -> (double) i).toList());
    assertThat(b.params)
        .filteredOn(p -> p.key().equals("before_param"))
        .singleElement()
        .satisfies(p -> assertThat(p.value()).isEqualTo("kept"));
    assertThat(b.tags)
        .filteredOn(t -> t.key().equals("before_tag"))
        .extracting(TagEvent::value)
        .containsExactly("kept");
  }

  /**
   * An engine over a plugins folder holding the testkit's recording plugin, with an experiment on
   * {@link #fake} that has logged the "before" events.
   */
  private Experiment startWithPluginFolder() throws IOException {
    assertThat(RECORDING_JAR).as("the reactor builds the recording plugin JAR").isRegularFile();
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(RECORDING_JAR, plugins.resolve("recording.jar"));
    Experiment exp = start(Map.of("tracelet.plugins_dir", plugins.toString()), fake);
    assertOtherPluginsStillLoad();
    logBefore(exp);
    return exp;
  }

  /** Drops a JAR into the watched folder and returns what the host made of it. */
  private PluginReport dropJar(String name, byte[] content) throws IOException {
    Path staging = Files.write(dir.resolve(name + ".part"), content);
    Path target = dir.resolve("plugins").resolve(name);
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      for (PluginReport r : engine.plugins()) {
        if (Path.of(r.file()).getFileName().toString().equals(name)) {
          return r;
        }
      }
      assertThat(System.nanoTime() - deadline).as("the watcher reports " + name).isNegative();
      try {
        Thread.sleep(20); // polling: the folder watcher runs on its own schedule
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The recording plugin still comes from its JAR, and nothing else broke. */
  private void assertOtherPluginsStillLoad() {
    assertThat(engine.registry().find("recording").orElseThrow().pluginId())
        .isEqualTo("tracelet-plugin-recording");
    assertThat(engine.plugins())
        .filteredOn(r -> r.id().equals("tracelet-plugin-recording"))
        .singleElement()
        .satisfies(r -> assertThat(r.usable()).isTrue());
    assertThat(engine.registry().find("fake")).isPresent();
  }

  /** The class files of {@link JarBackend}, as a plugin JAR would carry them. */
  private static Map<String, byte[]> backendClasses() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("META-INF/extensions.idx", (JarBackend.class.getName() + "\n").getBytes());
    for (Class<?> c : List.of(JarBackend.class, JarBackend.Session.class)) {
      entries.put(classFile(c), classBytes(c));
    }
    return entries;
  }

  private static String classFile(Class<?> c) {
    return c.getName().replace('.', '/') + ".class";
  }

  private static byte[] classBytes(Class<?> c) throws IOException {
    try (InputStream in =
        BadInputMatrixTest.class.getClassLoader().getResourceAsStream(classFile(c))) {
      if (in == null) {
        throw new IOException("no class file for " + c.getName());
      }
      return in.readAllBytes();
    }
  }

  /** A plugin JAR: PF4J's manifest (with an optional Plugin-Class) and the given entries. */
  private static byte[] jar(String pluginId, String pluginClass, Map<String, byte[]> entries)
      throws IOException {
    Manifest manifest = new Manifest();
    Attributes a = manifest.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.put(new Attributes.Name("Plugin-Id"), pluginId);
    a.put(new Attributes.Name("Plugin-Version"), "1.0.0");
    a.put(new Attributes.Name("Plugin-Provider"), "bad-input tests");
    if (pluginClass != null) {
      a.put(new Attributes.Name("Plugin-Class"), pluginClass);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new JarEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** A working backend, packed into the plugin JARs these tests build. */
  public static final class JarBackend implements BackendPlugin {
    static final String NAME = "jarbackend";

    public JarBackend() {}

    @Override
    public PluginMetadata metadata() {
      return new PluginMetadata(NAME, "1.0.0", "a backend in a test JAR", PluginType.BACKEND);
    }

    @Override
    public BackendSession open(BackendContext context) {
      return new Session();
    }

    /** Accepts everything and keeps nothing. */
    public static final class Session implements BackendSession {
      @Override
      public BackendCapabilities capabilities() {
        return BackendCapabilities.defaults();
      }

      @Override
      public void log(EventBatch batch) {}

      @Override
      public ArtifactResult logArtifact(TraceletArtifact artifact) {
        return new ArtifactResult(NAME, "none://" + artifact.name(), "1", Map.of());
      }

      @Override
      public Optional<RunStore> store() {
        return Optional.empty();
      }

      @Override
      public void close(RunStatus status) {}
    }
  }

  /** A PF4J plugin class whose constructor throws. */
  public static final class ExplodingPlugin extends org.pf4j.Plugin {
    public ExplodingPlugin() {
      throw new IllegalStateException("refusing to be constructed");
    }
  }

  /** A PF4J plugin class whose start throws. */
  public static final class FailingStartPlugin extends org.pf4j.Plugin {
    public FailingStartPlugin() {}

    @Override
    public void start() {
      throw new IllegalStateException("refusing to start");
    }
  }
}
