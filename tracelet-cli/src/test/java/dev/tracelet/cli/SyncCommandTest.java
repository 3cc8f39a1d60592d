package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracelet sync}'s command line; the replay itself is tested in the core. */
class SyncCommandTest {
  @TempDir Path dir;

  private CliHarness cli() {
    return new CliHarness(dir).property("tracelet.journal_dir", dir.resolve("journal").toString());
  }

  @Test
  void withoutRunsOrAllItIsAUsageError() {
    CliHarness.Result r = cli().run("sync");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--all");
  }

  @Test
  void nothingOfflineMeansNothingToDo() {
    CliHarness.Result r = cli().run("sync", "--all");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("Nothing to sync");
    CliHarness.Result json = cli().run("sync", "--all", "--json");
    assertThat(json.exitCode()).isZero();
    assertThat(json.out().strip()).isEqualTo("[ ]");
  }
}
