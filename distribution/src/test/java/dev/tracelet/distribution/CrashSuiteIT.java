package dev.tracelet.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteConfig;

/**
 * The crash suite: training processes on the built distribution (its {@code lib/} on the class
 * path, its {@code plugins/} folder in PF4J's deployment mode) are killed with SIGKILL while they
 * log and while they replay a journal. Afterwards the local store's database is intact and {@code
 * tracelet runs list} reads it, the journal reopens, and of what a process had flushed nothing is
 * lost: only the points logged after its last flush may be missing.
 *
 * <p>Every kill happens at a moment the child or the stub signals (a {@code FLUSHED} line, a held
 * request), never after a sleep; every wait is a hang guard, never a speed check.
 */
class CrashSuiteIT {
  private static final String VERSION = System.getProperty("dist.version");
  private static final Path TARBALL = Path.of(System.getProperty("dist.tarball"));
  private static final Path WORK = Path.of(System.getProperty("dist.work")).resolve("crash");
  private static final Duration GUARD = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Points the logging child logs between two flushes: the most a kill may lose. */
  private static final int FLUSH_EVERY = 250;

  private static Path home;
  private static Path testClasses;

  @BeforeAll
  static void unpack() throws Exception {
    deleteTree(WORK);
    Files.createDirectories(WORK);
    Process tar =
        new ProcessBuilder("tar", "-xzf", TARBALL.toString(), "-C", WORK.toString())
            .inheritIO()
            .start();
    assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(tar.exitValue()).isZero();
    home = WORK.resolve("tracelet-" + VERSION);
    testClasses =
        Path.of(CrashChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  // ---- 1. killed while logging to the local store ----

  /**
   * Killed while logging to the local store: the database is intact, the run reads KILLED, and
   * every step up to the last flush is stored exactly once; at most the points after it are
   * missing.
   */
  @Test
  void sigkillWhileLoggingToTheLocalStore() throws Exception {
    Path dir = scenario("local");
    String runId;
    long flushed;
    try (ChildProcess child =
        child(dir, "log", settings(dir, "local"), Map.of(), "log", "" + FLUSH_EVERY, "0")) {
      runId = child.await("RUN ", GUARD);
      for (int i = 0; i < 5; i++) {
        child.await("FLUSHED ", GUARD);
      }
      child.kill();
      flushed = lastFlushed(child);
    }

    assertDatabaseIntact(dir);
    assertThat(localRun(dir, runId).path("status").asText()).isEqualTo("KILLED");
    assertStoredOnceUpTo(localSteps(dir, runId), flushed);
  }

  // ---- 2. killed while logging, with MLflow unreachable and its events journaled ----

  /**
   * Killed while logging to the local store and to an MLflow server nobody listens for, whose
   * events go to the journal: everything flushed is in the journal, the journal reopens, and a
   * process resuming the run with {@code TRACELET_RUN_ID} delivers every journaled point, once, to
   * a working server. A record torn by the kill (made certain in one variant by cutting the last
   * record in half) is recognized and dropped on reopening; everything before it is delivered.
   */
  @ParameterizedTest(name = "last record torn: {0}")
  @ValueSource(booleans = {false, true})
  void sigkillWhileJournalingForAnUnreachableServer(boolean tearLastRecord) throws Exception {
    Path dir = scenario(tearLastRecord ? "unreachable-torn" : "unreachable");
    Map<String, String> settings = settings(dir, "local,mlflow");
    settings.put("tracelet.mlflow.tracking_uri", "http://127.0.0.1:" + closedPort());
    String runId;
    long flushed;
    try (ChildProcess child = child(dir, "log", settings, Map.of(), "log", "" + FLUSH_EVERY, "0")) {
      runId = child.await("RUN ", GUARD);
      for (int i = 0; i < 3; i++) {
        child.await("FLUSHED ", GUARD);
      }
      child.kill();
      flushed = lastFlushed(child);
    }

    Path journal = journal(dir, runId);
    JournalFile before = JournalFile.read(journal);
    // flush() returns once MLflow's share is journaled and forced to disk.
    assertThat(before.metrics()).isBetween(flushed, flushed + FLUSH_EVERY);
    assertThat(JournalFile.cursor(journal)).as("nothing was delivered yet").isEmpty();
    long expected = before.metrics();
    if (tearLastRecord) {
      JournalFile.Record last = before.records().get(before.records().size() - 1);
      JournalFile.tearLastRecord(journal, last);
      expected -= last.metrics();
      JournalFile torn = JournalFile.read(journal);
      assertThat(torn.records())
          .isEqualTo(before.records().subList(0, before.records().size() - 1));
      assertThat(torn.size()).isGreaterThan(torn.intactEnd());
    }
    assertDatabaseIntact(dir);
    assertThat(localRun(dir, runId).path("status").asText()).isEqualTo("KILLED");
    assertStoredOnceUpTo(localSteps(dir, runId), flushed);

    try (MlflowStub mlflow = new MlflowStub()) {
      settings.put("tracelet.mlflow.tracking_uri", mlflow.uri());
      resumeToTheEnd(dir, "resume", settings, runId);

      assertThat(mlflow.runsOf(runId)).hasSize(1);
      MlflowStub.RunSnapshot run = mlflow.runsOf(runId).get(0);
      assertThat(run.status()).isEqualTo("FINISHED");
      assertThat(run.params()).containsEntry("model", "mlp");
      Map<Long, List<MlflowStub.Row>> loss = byStep(run, "loss");
      assertThat(loss.keySet()).isEqualTo(steps(expected));
      assertThat(loss.values()).allSatisfy(rows -> assertThat(rows).hasSize(1));
      assertThat(loss.values())
          .allSatisfy(rows -> assertThat(rows.get(0).value()).isEqualTo(value(rows.get(0))));
      assertThat(byStep(run, "resumed").keySet()).containsExactly(0L);
      assertThat(mlflow.unexpected).isEmpty();
    }
    assertThat(journal).as("a delivered journal is removed").doesNotExist();
    assertThat(JournalFile.cursor(journal)).isEmpty();
    assertDatabaseIntact(dir);
    assertThat(localRun(dir, runId).path("status").asText()).isEqualTo("FINISHED");
  }

  // ---- 3. killed while replaying a journal ----

  /** The log-batch request with metrics that is in flight when the replaying process dies. */
  private static final int IN_FLIGHT = 11;

  /**
   * Killed while replaying a journal: an offline run leaves MLflow's events in the journal in many
   * batches; a process resuming the run replays them into the server and is killed while one batch
   * is in flight (the server stored it; the answer never arrived); a third process resumes again
   * and finishes. The journal's cursor stood at the batch in flight, every point arrives, and only
   * that batch may arrive twice.
   */
  @Test
  void sigkillDuringReplay() throws Exception {
    Path dir = scenario("replay");
    String runId;
    try (MlflowStub mlflow = new MlflowStub()) {
      Map<String, String> settings = settings(dir, "local,mlflow");
      settings.put("tracelet.batch_size", "50");
      settings.put("tracelet.mlflow.tracking_uri", mlflow.uri());
      Map<String, String> offline = new LinkedHashMap<>(settings);
      offline.put("tracelet.mode", "offline");
      try (ChildProcess child = child(dir, "offline", offline, Map.of(), "log", "500", "2000")) {
        runId = child.await("RUN ", GUARD);
        // Two params and 2000 points stay in the journal for MLflow.
        assertThat(child.await("ENDED ", GUARD)).isEqualTo("lost=0 journaled=2002");
        assertThat(child.awaitExit(GUARD)).isZero();
      }
      Path journal = journal(dir, runId);
      JournalFile full = JournalFile.read(journal);
      assertThat(full.size()).isEqualTo(full.intactEnd());
      assertThat(full.metrics()).isEqualTo(2000);
      List<JournalFile.Record> batches =
          full.records().stream().filter(r -> r.metrics() > 0).toList();
      assertThat(batches).hasSizeGreaterThan(IN_FLIGHT + 5);
      assertThat(mlflow.metricBatchCount()).as("offline: MLflow is not contacted").isZero();

      // The stub stores batch IN_FLIGHT and keeps its answer until the replaying process is dead.
      // (A stub that merely answers slowly would leave the moment of the kill to timing.)
      mlflow.holdMetricBatch(IN_FLIGHT);
      Map<String, String> resume = Map.of("TRACELET_RUN_ID", runId);
      try (ChildProcess child = child(dir, "replay-killed", settings, resume, "resume")) {
        if (!mlflow.awaitHeld(GUARD)) {
          throw new AssertionError(
              "the replay never reached batch " + IN_FLIGHT + child.describe());
        }
        child.kill();
      } finally {
        mlflow.release();
      }
      assertThat(mlflow.metricBatchCount()).isEqualTo(IN_FLIGHT);
      // The cursor is committed after each delivered batch, so it names the one in flight.
      assertThat(JournalFile.cursor(journal)).contains(batches.get(IN_FLIGHT - 1).offset());
      // Replaying rewrites no record; the resumed run's own events queue up behind them.
      assertThat(JournalFile.read(journal).records())
          .startsWith(full.records().toArray(JournalFile.Record[]::new));
      assertDatabaseIntact(dir);
      // The kill came while the resumed process was ending the run: each backend ends on its own,
      // and the local store, with nothing to replay, had already ended its run.
      assertThat(localRun(dir, runId).path("status").asText()).isEqualTo("FINISHED");
      Set<Long> inFlight =
          mlflow.metricBatch(IN_FLIGHT).stream()
              .map(MlflowStub.Row::step)
              .collect(Collectors.toSet());

      resumeToTheEnd(dir, "replay-finished", settings, runId);

      assertThat(mlflow.runsOf(runId)).as("the second resume found the run").hasSize(1);
      MlflowStub.RunSnapshot run = mlflow.runsOf(runId).get(0);
      assertThat(run.status()).isEqualTo("FINISHED");
      assertThat(run.params()).containsEntry("model", "mlp");
      Map<Long, List<MlflowStub.Row>> loss = byStep(run, "loss");
      assertThat(loss.keySet()).isEqualTo(steps(2000));
      // Delivery is at least once across a crash: the batch in flight at the kill is sent again,
      // with the same timestamps and values. MLflow's database store ignores such an exact
      // duplicate (its metrics key is key, timestamp, step, run, value and is_nan, and log-batch
      // inserts only the rows not there yet); its file store would keep both rows. The stub keeps
      // every row, so duplicates are counted by (key, step) here.
      Map<Long, List<MlflowStub.Row>> twice = new TreeMap<>(loss);
      twice.values().removeIf(rows -> rows.size() == 1);
      assertThat(twice.keySet()).isSubsetOf(inFlight);
      assertThat(loss.values())
          .allSatisfy(rows -> assertThat(rows.get(0).value()).isEqualTo(value(rows.get(0))));
      assertThat(twice.values())
          .allSatisfy(rows -> assertThat(new HashSet<>(rows)).hasSize(1))
          .allSatisfy(rows -> assertThat(rows).hasSize(2));
      assertThat(byStep(run, "resumed").keySet()).containsExactly(0L);
      assertThat(mlflow.unexpected).isEmpty();
      assertThat(journal).doesNotExist();
    }
    assertDatabaseIntact(dir);
    assertThat(localRun(dir, runId).path("status").asText()).isEqualTo("FINISHED");
    assertStoredOnceUpTo(localSteps(dir, runId), 2000);
  }

  // ---- processes ----

  private static Path scenario(String name) throws IOException {
    Path dir = WORK.resolve(name);
    deleteTree(dir);
    return Files.createDirectories(dir);
  }

  /** The settings every child gets, as system properties; the store and journal in {@code dir}. */
  private static Map<String, String> settings(Path dir, String backends) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("tracelet.home", home.toString());
    s.put("tracelet.project", "crash");
    s.put("tracelet.backend", backends);
    s.put("tracelet.track_system", "false");
    s.put("tracelet.track_git", "false");
    s.put("tracelet.track_env", "false");
    s.put("tracelet.journal_dir", dir.resolve("journal").toString());
    s.put("tracelet.batch_size", "100");
    s.put("tracelet.flush_interval", "200ms");
    s.put("tracelet.shutdown_timeout", "2m");
    s.put("tracelet.mlflow.max_retries", "0");
    return s;
  }

  /** A {@link CrashChild} on the distribution, in {@code dir}. */
  private static ChildProcess child(
      Path dir, String name, Map<String, String> settings, Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(home.resolve("lib") + File.separator + "*" + File.pathSeparator + testClasses);
    cmd.add(CrashChild.class.getName());
    cmd.addAll(List.of(args));
    return ChildProcess.start(dir, env, dir.resolve(name + ".log"), cmd);
  }

  /** Resumes the run in a new process, which replays the journal and ends the run. */
  private static void resumeToTheEnd(
      Path dir, String name, Map<String, String> settings, String runId) throws Exception {
    try (ChildProcess child =
        child(dir, name, settings, Map.of("TRACELET_RUN_ID", runId), "resume")) {
      assertThat(child.await("RESUMED ", GUARD)).isEqualTo(runId);
      assertThat(child.await("ENDED ", GUARD)).as(child.describe()).isEqualTo("lost=0 journaled=0");
      assertThat(child.awaitExit(GUARD)).isZero();
    }
  }

  private static long lastFlushed(ChildProcess child) {
    List<String> flushed = child.seen("FLUSHED ");
    return Long.parseLong(flushed.get(flushed.size() - 1));
  }

  /** A port on this machine with nothing listening: connections are refused at once. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Path journal(Path dir, String runId) {
    return dir.resolve("journal").resolve(runId).resolve("mlflow.journal");
  }

  // ---- the local store, from outside ----

  /** {@code PRAGMA integrity_check} on the store's database, opened read-only. */
  private static void assertDatabaseIntact(Path dir) throws Exception {
    Path db = dir.resolve("tracelet-runs").resolve("tracelet.db");
    assertThat(db).exists();
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    List<String> problems = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      while (rs.next()) {
        problems.add(rs.getString(1));
      }
    }
    assertThat(problems).containsExactly("ok");
  }

  /** The run as {@code tracelet runs list crash --json} shows it. */
  private static JsonNode localRun(Path dir, String runId) throws Exception {
    JsonNode runs = cli(dir, "runs", "list", "crash", "--json");
    for (JsonNode r : runs) {
      if (runId.equals(r.path("run_id").asText())) {
        return r;
      }
    }
    throw new AssertionError("run " + runId + " is not listed: " + runs);
  }

  /** The steps of metric {@code loss} as {@code tracelet runs show --history} reads them. */
  private static List<Long> localSteps(Path dir, String runId) throws Exception {
    JsonNode run = cli(dir, "runs", "show", runId, "--history", "loss", "--json");
    assertThat(run.path("params").path("model").asText()).isEqualTo("mlp");
    List<Long> steps = new ArrayList<>();
    for (JsonNode p : run.path("history").path("loss")) {
      long step = p.path("step").asLong();
      assertThat(p.path("value").asDouble()).isEqualTo(CrashChild.value(step));
      steps.add(step);
    }
    return steps;
  }

  /** The distribution's {@code bin/tracelet} in {@code dir}; its JSON output. */
  private static JsonNode cli(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(home.resolve("bin").resolve("tracelet").toString());
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(dir, "cli-", ".log");
    Path out = Files.createTempFile(dir, "cli-", ".json");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(log.toFile());
    ChildProcess.cleanEnvironment(pb.environment());
    Process p = pb.start();
    if (!p.waitFor(GUARD.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("hung: " + cmd);
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue())
        .as("%s\n%s\n%s", cmd, stdout, Files.readString(log, StandardCharsets.UTF_8))
        .isZero();
    return JSON.readTree(stdout);
  }

  // ---- checks ----

  /**
   * Steps {@code 0..n-1}, each exactly once, where {@code n} covers every flushed step and at most
   * one more flush interval.
   */
  private static void assertStoredOnceUpTo(List<Long> steps, long flushed) {
    assertThat(new HashSet<>(steps)).as("no step twice").hasSameSizeAs(steps);
    List<Long> sorted = steps.stream().sorted().toList();
    assertThat(sorted).isEqualTo(List.copyOf(steps(sorted.size())));
    assertThat((long) sorted.size()).isBetween(flushed, flushed + FLUSH_EVERY);
  }

  private static Set<Long> steps(long n) {
    return LongStream.range(0, n).boxed().collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  private static Map<Long, List<MlflowStub.Row>> byStep(MlflowStub.RunSnapshot run, String key) {
    return run.metrics().stream()
        .filter(r -> r.key().equals(key))
        .collect(Collectors.groupingBy(MlflowStub.Row::step, TreeMap::new, Collectors.toList()));
  }

  private static double value(MlflowStub.Row row) {
    return CrashChild.value(row.step());
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
