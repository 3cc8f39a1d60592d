package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.Sort;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a RUNNING run's owner process is judged alive or dead. */
class KilledRunDetectionTest {
  @TempDir Path temp;
  StoreFixture f;

  @BeforeEach
  void setUp() {
    f = new StoreFixture(temp);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private void setOwner(String runId, String host, String boot, long pid, Long start)
      throws Exception {
    try (Connection c = f.store.db().connect();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE runs SET owner_host = ?, owner_boot = ?, owner_pid = ?, owner_start = ?,"
                    + " last_seen = 1234 WHERE id = ?")) {
      ps.setString(1, host);
      ps.setString(2, boot);
      ps.setLong(3, pid);
      if (start == null) {
        ps.setNull(4, java.sql.Types.INTEGER);
      } else {
        ps.setLong(4, start);
      }
      ps.setString(5, runId);
      ps.executeUpdate();
    }
  }

  private static long deadPid() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return p.pid();
  }

  @Test
  void ownRunIsAlive() {
    LocalSession s = f.open("e");
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status()).isEqualTo(RunStatus.RUNNING);
    s.close(RunStatus.FINISHED);
  }

  @Test
  void runOfAnExitedProcessReadsKilledEndedAtItsLastWrite() throws Exception {
    LocalSession s = f.open("e");
    ProcessOwner me = ProcessOwner.current();
    setOwner(s.runId(), me.host(), me.bootId(), deadPid(), null);
    RunInfo info = f.runs.experimentRuns("e", Sort.none()).get(0);
    assertThat(info.status()).isEqualTo(RunStatus.KILLED);
    assertThat(info.endTime()).isEqualTo(java.time.Instant.ofEpochMilli(1234));
  }

  @Test
  void reusedPidWithAnotherStartInstantIsDead() throws Exception {
    LocalSession s = f.open("e");
    ProcessOwner me = ProcessOwner.current();
    long anHourEarlier = me.startMillis() == null ? 0 : me.startMillis() - 3_600_000;
    setOwner(s.runId(), me.host(), me.bootId(), me.pid(), anHourEarlier);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status()).isEqualTo(RunStatus.KILLED);
  }

  @Test
  void anotherBootOfThisHostIsDead() throws Exception {
    LocalSession s = f.open("e");
    ProcessOwner me = ProcessOwner.current();
    setOwner(s.runId(), me.host(), "previous-boot", me.pid(), me.startMillis());
    RunStatus expected = me.bootId() == null ? RunStatus.RUNNING : RunStatus.KILLED;
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status()).isEqualTo(expected);
  }

  @Test
  void runOfAnotherHostIsLeftAlone() throws Exception {
    LocalSession s = f.open("e");
    setOwner(s.runId(), "some-other-host", null, deadPid(), null);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status()).isEqualTo(RunStatus.RUNNING);
    s.close(RunStatus.FINISHED);
  }

  @Test
  void resumingAKilledRunMakesItRunningAgain() throws Exception {
    TestContext ctx = f.context("e");
    LocalSession s = f.open(ctx);
    ProcessOwner me = ProcessOwner.current();
    setOwner(s.runId(), me.host(), me.bootId(), deadPid(), null);
    assertThat(f.runs.getRun(s.runId()).orElseThrow().info().status()).isEqualTo(RunStatus.KILLED);
    LocalSession resumed = f.open(ctx.resuming());
    RunInfo info = f.runs.getRun(s.runId()).orElseThrow().info();
    assertThat(info.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(info.endTime()).isNull();
    resumed.close(RunStatus.FINISHED);
  }
}
