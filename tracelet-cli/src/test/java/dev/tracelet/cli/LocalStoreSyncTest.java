package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.Experiment;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.StartOptions;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunDetails;
import dev.tracelet.api.store.RunStore;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.runtime.DefaultExperiment;
import dev.tracelet.core.settings.SettingsSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tracelet sync --to} end to end: runs logged into the real local store (its plugin JAR
 * loaded from a plugins folder, as users run it) are sent into the {@code memory} test backend.
 */
class LocalStoreSyncTest {
  private static final String MARKER = "tracelet.synced.memory";

  @TempDir Path dir;
  private final Map<String, String> props = new HashMap<>();
  private final List<TraceletEngine> engines = new java.util.ArrayList<>();

  @BeforeEach
  void installTheLocalPlugin() throws IOException {
    String jar = System.getProperty("tracelet.test.local_plugin_jar", "");
    assumeThat(jar.endsWith(".jar") && Files.isRegularFile(Path.of(jar)))
        .as("the local plugin JAR (built by the reactor's package phase): %s", jar)
        .isTrue();
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Files.copy(Path.of(jar), plugins.resolve("tracelet-plugin-local.jar"));
    props.put("tracelet.plugins_dir", plugins.toString());
    props.put("tracelet.plugins_watch", "false");
    props.put("tracelet.local.dir", dir.resolve("runs").toString());
    props.put("tracelet.journal_dir", dir.resolve("journal").toString());
    props.put("tracelet.memory.store", UUID.randomUUID().toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.track_git", "false");
    props.put("tracelet.backend", "local");
    props.put("tracelet.shutdown_timeout", "20s");
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(TraceletEngine::close);
  }

  private TraceletEngine engine(Map<String, String> extra) {
    Map<String, String> p = new HashMap<>(props);
    p.putAll(extra);
    TraceletEngine e = TraceletEngine.create(new SettingsSources(Map.of(), p, dir, null));
    engines.add(e);
    return e;
  }

  private CliHarness cli(String... extra) {
    CliHarness h = new CliHarness(dir);
    props.forEach(h::property);
    for (int i = 0; i < extra.length; i += 2) {
      h.property(extra[i], extra[i + 1]);
    }
    return h;
  }

  private MemoryStore memory() {
    return MemoryBackend.store(props.get("tracelet.memory.store"));
  }

  /** Logs a run into the local store only and ends it; returns its id. */
  private String logLocally(TraceletEngine engine, String name, int points, RunStatus status)
      throws IOException {
    Experiment exp =
        engine.startExperiment(
            StartOptions.builder(name)
                .project("vision")
                .backends("local")
                .tags("baseline")
                .build());
    exp.logParams(Map.of("lr", 0.1, "layers", 3, "optimizer", "adam"));
    exp.setTag("team", "perception");
    for (int i = 0; i < points; i++) {
      exp.logMetric("loss", 1.0 / (i + 1), i);
      if (i % 10 == 0) {
        exp.logMetric("val/acc", i / (double) points, i);
      }
    }
    Path weights = Files.writeString(dir.resolve(name + ".bin"), "weights of " + name);
    exp.logArtifact(weights);
    ((DefaultExperiment) exp).end(status);
    return exp.id();
  }

  /** Every point of every metric of a run, by metric. */
  private static Map<String, List<MetricPoint>> history(RunStore store, String runId) {
    RunDetails run = store.getRun(runId).orElseThrow();
    Map<String, List<MetricPoint>> out = new LinkedHashMap<>();
    for (String key : run.metrics().keySet()) {
      out.put(key, store.metricHistory(runId, key));
    }
    return out;
  }

  /**
   * The events a store sync sends for a run: its parameters, tags with a value (the local store
   * adds its own environment tags) and metric points.
   */
  private static long events(RunStore store, String runId) {
    RunDetails run = store.getRun(runId).orElseThrow();
    long tags =
        run.tags().entrySet().stream()
            .filter(t -> !t.getValue().isEmpty() && !t.getKey().startsWith("tracelet.synced."))
            .count();
    long points = 0;
    for (String key : run.metrics().keySet()) {
      points += store.metricHistory(runId, key).size();
    }
    return run.params().size() + tags + points;
  }

  private static long artifacts(RunStore store, String runId) {
    return store.getRun(runId).orElseThrow().artifacts().stream()
        .map(a -> a.substring(0, a.indexOf('/')))
        .distinct()
        .count();
  }

  @Test
  void aRunLoggedOnlyLocallyArrivesWholeAndOnceAndASecondSyncSendsNothing() throws IOException {
    TraceletEngine logging = engine(Map.of());
    String id = logLocally(logging, "train", 40_000, RunStatus.FAILED);
    RunStore local = logging.store("local");
    Map<String, List<MetricPoint>> stored = history(local, id);
    assertThat(stored.get("loss")).hasSize(40_000);
    long events = events(local, id);
    long artifacts = artifacts(local, id);

    // The smallest queue (1 MB: 16,384 events) and the journal off: the sync must wait for room
    // instead of dropping points.
    CliHarness.Result first = cli("tracelet.queue_memory", "1MB").run("sync", id, "--to", "memory");

    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(first.out())
        .contains(id + " -> memory: " + events + " events delivered, " + artifacts + " artifacts");
    assertThat(first.out()).contains("run ended FAILED");
    RunDetails sent = memory().getRun(id).orElseThrow();
    assertThat(sent.info().name()).isEqualTo("train");
    assertThat(sent.info().status()).isEqualTo(RunStatus.FAILED);
    assertThat(memory().getExperiment(sent.info().experimentId()).orElseThrow().name())
        .isEqualTo("vision");
    assertThat(history(memory(), id)).isEqualTo(stored);
    assertThat(sent.params()).containsEntry("lr", "0.1").containsEntry("layers", "3");
    assertThat(sent.params()).containsEntry("optimizer", "adam");
    assertThat(sent.tags()).containsEntry("team", "perception").containsKey("baseline");
    assertThat(sent.tags()).doesNotContainKey(MARKER);
    assertThat(sent.artifacts()).contains("train.bin/train.bin");
    assertThat(sent.artifacts()).hasSameSizeAs(local.getRun(id).orElseThrow().artifacts());
    assertThat(memory().artifactPath(id, "train.bin")).hasContent("weights of train");

    // The local run is unchanged but for the tag that records the sync.
    RunDetails after = local.getRun(id).orElseThrow();
    assertThat(after.tags().get(MARKER)).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:]+Z, 44000 points");
    assertThat(history(local, id)).isEqualTo(stored);
    assertThat(after.info().status()).isEqualTo(RunStatus.FAILED);

    CliHarness.Result second = cli().run("sync", id, "--to", "memory");
    assertThat(second.exitCode()).isZero();
    assertThat(second.out()).contains("already synced to memory").contains("nothing sent");
    assertThat(second.err()).doesNotContain("events");
    assertThat(history(memory(), id).get("loss")).hasSize(40_000);

    CliHarness.Result forced = cli().run("sync", id, "--to", "memory", "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(history(memory(), id).get("loss")).hasSize(80_000);
  }

  @Test
  void progressGoesToStderrAndJsonStaysClean() throws IOException {
    TraceletEngine logging = engine(Map.of());
    String id = logLocally(logging, "train", 300, RunStatus.FINISHED);
    long events = events(logging.store("local"), id);

    CliHarness.Result r = cli().run("sync", id, "--to", "memory", "--json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode json = r.json();
    assertThat(json).hasSize(1);
    assertThat(json.get(0).get("outcome").asText()).isEqualTo("synced");
    assertThat(json.get(0).get("source").asText()).isEqualTo("store");
    assertThat(json.get(0).get("delivered").asLong()).isEqualTo(events);
    assertThat(json.get(0).get("total").asLong()).isEqualTo(events);
    // No terminal under the tests: plain progress lines, the last one complete, none on stdout.
    assertThat(r.err().lines().toList())
        .last()
        .asString()
        .startsWith("[1/1] " + id + " -> memory")
        .contains(events + "/" + events + " events 100%")
        .doesNotContain("\r");
    assertThat(r.out()).doesNotContain("events 100%");
  }

  @Test
  void aRunStillBeingWrittenIsRefusedUnlessForced() {
    TraceletEngine logging = engine(Map.of());
    Experiment exp =
        logging.startExperiment(StartOptions.builder("live").backends("local").build());
    for (int i = 0; i < 50; i++) {
      exp.logMetric("loss", i, i);
    }
    exp.flush();

    CliHarness.Result refused = cli().run("sync", exp.id(), "--to", "memory");
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.out()).contains("still RUNNING").contains("--force");
    assertThat(memory().getRun(exp.id())).isEmpty();

    CliHarness.Result forced = cli().run("sync", exp.id(), "--to", "memory", "--force");
    assertThat(forced.exitCode()).as(forced.toString()).isZero();
    assertThat(forced.out()).contains("what was stored so far");
    assertThat(memory().getRun(exp.id()).orElseThrow().info().status()).isEqualTo(RunStatus.KILLED);
    assertThat(history(memory(), exp.id()).get("loss")).hasSize(50);
    exp.stop();
  }

  @Test
  void allSendsEveryStoredRunNotYetSyncedAndThenNothing() throws IOException {
    TraceletEngine logging = engine(Map.of());
    String one = logLocally(logging, "one", 20, RunStatus.FINISHED);
    String two = logLocally(logging, "two", 30, RunStatus.FINISHED);
    assertThat(cli().run("sync", one, "--to", "memory").exitCode()).isZero();

    CliHarness.Result all = cli().run("sync", "--all", "--to", "memory");

    assertThat(all.exitCode()).as(all.toString()).isZero();
    assertThat(all.out())
        .contains(two + " -> memory: " + events(logging.store("local"), two) + " events delivered");
    assertThat(all.out()).doesNotContain(one + " -> memory");
    assertThat(all.out()).contains("1 run was already synced to memory");
    assertThat(history(memory(), one).get("loss")).hasSize(20);
    assertThat(history(memory(), two).get("loss")).hasSize(30);

    CliHarness.Result again = cli().run("sync", "--all", "--to", "memory");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("2 runs were already synced to memory");
    assertThat(again.out()).doesNotContain("delivered");
    assertThat(history(memory(), two).get("loss")).hasSize(30);
  }

  @Test
  void aRunLoggedLiveIntoTheBackendIsNotSentAgain() {
    TraceletEngine logging = engine(Map.of());
    Experiment exp =
        logging.startExperiment(StartOptions.builder("both").backends("local", "memory").build());
    for (int i = 0; i < 40; i++) {
      exp.logMetric("loss", i, i);
    }
    exp.stop();

    CliHarness.Result r = cli().run("sync", "--all", "--to", "memory");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("1 run was already in memory (logged there live)");
    assertThat(history(memory(), exp.id()).get("loss")).hasSize(40);

    CliHarness.Result named = cli().run("sync", exp.id(), "--to", "memory");
    assertThat(named.exitCode()).isZero();
    assertThat(named.out()).contains("memory already has this run").contains("nothing sent");
    assertThat(history(memory(), exp.id()).get("loss")).hasSize(40);
  }

  @Test
  void anOfflineRunsJournalWinsAndIsRecordedOnTheStoredRun() {
    TraceletEngine logging = engine(Map.of("tracelet.mode", "offline"));
    Experiment exp =
        logging.startExperiment(StartOptions.builder("away").backends("local", "memory").build());
    for (int i = 0; i < 25; i++) {
      exp.logMetric("loss", i, i);
    }
    exp.stop();
    assertThat(memory().getRun(exp.id())).as("offline: memory not contacted").isEmpty();

    CliHarness.Result r = cli().run("sync", exp.id(), "--to", "memory", "--json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.json().get(0).get("source").asText()).isEqualTo("journal");
    assertThat(history(memory(), exp.id()).get("loss")).hasSize(25);
    assertThat(logging.store("local").getRun(exp.id()).orElseThrow().tags())
        .hasEntrySatisfying(MARKER, v -> assertThat(v).endsWith("25 events from the journal"));

    // Neither the journal (gone) nor the store (recorded) sends it again.
    CliHarness.Result again = cli().run("sync", "--all", "--to", "memory");
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("1 run was already synced");
    assertThat(history(memory(), exp.id()).get("loss")).hasSize(25);
  }

  @Test
  void unknownRunsAndMissingBackendsAreProblems() {
    CliHarness.Result unknown =
        cli().run("sync", "0123456789abcdef0123456789abcdef", "--to", "memory");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.out()).contains("neither journaled for memory nor in the local store");

    CliHarness.Result noTo = cli().run("sync", "0123456789abcdef0123456789abcdef");
    assertThat(noTo.exitCode()).isEqualTo(1);
    assertThat(noTo.out()).contains("--to BACKEND");

    assertThat(cli().run("sync", "--all", "--to", "local").exitCode()).isEqualTo(2);
    CliHarness.Result nope = cli().run("sync", "--all", "--to", "nope");
    assertThat(nope.exitCode()).isEqualTo(1);
    assertThat(nope.err()).contains("'nope' is not installed");
  }
}
