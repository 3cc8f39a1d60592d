package dev.tracelet.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM that exits with its run open ends the run KILLED, after delivering what was logged. */
class ShutdownHookTest {
  @TempDir Path dir;

  @Test
  void anAbandonedRunIsFlushedAndEndedKilledAtExit() throws IOException, InterruptedException {
    Path out = dir.resolve("summary.txt");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ShutdownHookChild.class.getName(),
                out.toString(),
                "20000")
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(child.waitFor(120, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(child.exitValue()).as(output).isZero();
    assertThat(output).contains("logged 20000");
    // With an hour's linger and a batch bigger than the run, only the shutdown hook delivers.
    assertThat(Files.readString(out)).isEqualTo("20000 KILLED");
  }
}
