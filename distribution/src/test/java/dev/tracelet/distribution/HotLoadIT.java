package dev.tracelet.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hot loading as a user meets it, on the built distribution: a process starts with an empty plugins
 * folder; the local plugin's JAR is copied in, and an experiment reaches it; the JAR is removed,
 * and the plugin is unloaded once the experiment ends and its class loader is garbage-collected.
 * Waits are bounded hang guards, not speed checks.
 */
class HotLoadIT {
  private static final String VERSION = System.getProperty("dist.version");
  private static final Path TARBALL = Path.of(System.getProperty("dist.tarball"));
  private static final Path WORK = Path.of(System.getProperty("dist.work")).resolve("hot-load");

  @Test
  void theLocalPluginComesAndGoesWhileTheProcessRuns() throws Exception {
    Files.createDirectories(WORK);
    Path unpacked = Files.createTempDirectory(WORK, "dist-");
    Process tar =
        new ProcessBuilder("tar", "-xzf", TARBALL.toString(), "-C", unpacked.toString())
            .inheritIO()
            .start();
    assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
    Path home = unpacked.resolve("tracelet-" + VERSION);
    Path localJar;
    try (Stream<Path> s = Files.list(home.resolve("plugins"))) {
      localJar =
          s.filter(p -> p.getFileName().toString().startsWith("tracelet-plugin-local"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the distribution bundles no local plugin"));
    }
    Path plugins = Files.createDirectories(unpacked.resolve("empty-plugins"));
    Path work = Files.createDirectories(unpacked.resolve("work"));
    Path testClasses =
        Path.of(HotLoadChild.class.getProtectionDomain().getCodeSource().getLocation().toURI());

    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                home.resolve("lib") + "/*" + java.io.File.pathSeparator + testClasses,
                HotLoadChild.class.getName(),
                plugins.toString(),
                work.toString())
            .directory(work.toFile())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer in = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
      assertThat(next(out, "READY")).doesNotContain("local");
      Files.copy(localJar, plugins.resolve("local.jar"));
      String runId = next(out, "LOGGED").substring("LOGGED ".length());
      Files.delete(plugins.resolve("local.jar"));
      in.write("REMOVED\n");
      in.flush();
      assertThat(next(out, "UNREGISTERED")).contains("tracelet-plugin-local");
      assertThat(next(out, "STOPPED")).isEqualTo("STOPPED 150");
      next(out, "UNLOADED");
      next(out, "COLLECTED");
      assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();
      assertThat(child.exitValue()).isZero();
      assertThat(runId).hasSize(32);
    } finally {
      child.destroyForcibly();
    }
  }

  /** The next line starting with {@code word}; fails with what the process said instead. */
  private static String next(BufferedReader out, String word) throws Exception {
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(word)) {
        return line;
      }
      seen.append(line).append('\n');
      if (line.startsWith("TIMEOUT")) {
        break;
      }
    }
    throw new AssertionError(
        "expected a line starting with " + word + "; the process said:\n" + seen);
  }
}
