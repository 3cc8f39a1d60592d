package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunDetails;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A logging JVM killed with SIGKILL: the store stays intact, the run reads KILLED, and every point
 * of a batch the child reported committed before the kill is there, in order, without gaps.
 */
class SigkillTest {
  /** The child's stand-in for the dispatcher's linger time (the flush interval). */
  static final long FLUSH_MS = 200;

  @TempDir Path temp;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void killedWriterLeavesAConsistentStoreAndAKilledRun() throws Exception {
    Path dir = temp.resolve("store");
    String runId;
    long committedBeforeKill;
    try (ChildJvm child =
        ChildJvm.start(
            temp.resolve("child.log"), "kill", dir.toString(), "crash", Long.toString(FLUSH_MS))) {
      runId = child.await("run ", 90, TimeUnit.SECONDS);
      committedBeforeKill = 0;
      for (int i = 0; i < 6; i++) {
        committedBeforeKill = Long.parseLong(child.await("committed ", 30, TimeUnit.SECONDS));
      }
      // Land the kill somewhere inside the next flush interval, often during a commit.
      java.util.concurrent.locks.LockSupport.parkNanos(
          TimeUnit.MILLISECONDS.toNanos(
              java.util.concurrent.ThreadLocalRandom.current().nextLong(FLUSH_MS)));
      child.process.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.process.exitValue()).isEqualTo(137);
    }

    Path db = dir.resolve(Database.FILE_NAME);
    try (Connection c =
            new org.sqlite.jdbc4.JDBC4Connection(
                "jdbc:sqlite:" + db, db.toString(), new java.util.Properties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }

    try (LocalStore store =
        LocalStore.open(LocalSettings.from(Map.of("dir", dir.toString())), StoreFixture.logger())) {
      RunDetails run = store.runStore().getRun(runId).orElseThrow();
      assertThat(run.info().status()).isEqualTo(RunStatus.KILLED);
      assertThat(run.info().endTime()).isNotNull();
      assertThat(run.params()).containsEntry("model", "mlp");

      List<MetricPoint> history = store.runStore().metricHistory(runId, "m");
      assertThat((long) history.size()).isGreaterThanOrEqualTo(committedBeforeKill);
      for (int i = 0; i < history.size(); i++) {
        assertThat(history.get(i).step()).isEqualTo(i);
        assertThat(history.get(i).value()).isEqualTo(i);
      }

      // The verdict was written down, not just derived on read.
      try (Connection c = store.db().connect();
          PreparedStatement ps = c.prepareStatement("SELECT status FROM runs WHERE id = ?")) {
        ps.setString(1, runId);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("KILLED");
        }
      }
    }
  }
}
