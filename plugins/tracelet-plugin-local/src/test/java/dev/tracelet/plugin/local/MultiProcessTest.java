package dev.tracelet.plugin.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.api.store.RunInfo;
import dev.tracelet.api.store.Sort;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs share one store: they create it, race to create the same experiment, and log at
 * once. Nothing may be lost, and every run keeps its own id.
 */
class MultiProcessTest {
  static final int JVMS = 4;
  static final int POINTS = 50_000;
  static final int KEYS = 5;

  @TempDir Path temp;

  @Test
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  void fourJvmsLogIntoOneStoreAndLoseNothing() throws Exception {
    Path dir = temp.resolve("shared-store");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < JVMS; i++) {
        children.add(
            ChildJvm.start(
                temp.resolve("child-" + i + ".log"),
                "concurrent",
                dir.toString(),
                "shared",
                Integer.toString(POINTS),
                Integer.toString(KEYS),
                "1000"));
      }
      // Every child has created (or found) the store, the experiment and its run before any logs.
      List<String> runIds = new ArrayList<>();
      for (ChildJvm c : children) {
        runIds.add(c.await("ready ", 90, TimeUnit.SECONDS));
      }
      for (ChildJvm c : children) {
        c.send("go");
      }
      for (ChildJvm c : children) {
        c.await("done ", 120, TimeUnit.SECONDS);
        assertThat(c.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(c.process.exitValue()).isZero();
      }
      assertThat(new HashSet<>(runIds)).hasSize(JVMS);

      try (LocalStore store =
          LocalStore.open(
              LocalSettings.from(java.util.Map.of("dir", dir.toString())), StoreFixture.logger())) {
        LocalRunStore runs = store.runStore();
        assertThat(runs.listExperiments()).hasSize(1);
        List<RunInfo> infos = runs.experimentRuns("shared", Sort.none());
        assertThat(infos).extracting(RunInfo::runId).containsExactlyInAnyOrderElementsOf(runIds);
        assertThat(infos).extracting(RunInfo::status).containsOnly(RunStatus.FINISHED);
        for (String run : runIds) {
          for (int k = 0; k < KEYS; k++) {
            List<MetricPoint> history = runs.metricHistory(run, "m" + k);
            assertThat(history).hasSize(POINTS / KEYS);
            Set<Long> steps = new HashSet<>();
            for (MetricPoint p : history) {
              assertThat(p.value()).isEqualTo((double) p.step());
              steps.add(p.step());
            }
            assertThat(steps).hasSize(POINTS / KEYS);
          }
        }
        try (Connection c = store.db().connect();
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("ok");
        }
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
  }
}
