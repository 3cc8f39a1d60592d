package dev.tracelet.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process of the crash suite: its stdout lines queued for the test as they come, its stderr in a
 * log file that failures quote. Waits are hang guards, never a way to choose a moment.
 */
final class ChildProcess implements AutoCloseable {
  private static final String EOF = "\u0000eof";

  /** Exit value of a process ended by SIGKILL: the JDK reports a signal's death as 128 + signal. */
  static final int KILLED_BY_SIGKILL = 128 + 9;

  private final Process process;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private ChildProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // The process was killed: its pipe broke.
              } finally {
                lines.add(EOF);
              }
            },
            "child-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command} in {@code dir} with this machine's Tracelet and vendor variables removed
   * from the environment, then {@code env} added; stderr goes to {@code log}.
   */
  static ChildProcess start(Path dir, Map<String, String> env, Path log, List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    cleanEnvironment(pb.environment());
    pb.environment().putAll(env);
    try {
      return new ChildProcess(
          pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start(),
          log);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /**
   * Removes this machine's Tracelet, vendor and JVM-option variables, and sets {@code JAVA_HOME} to
   * this JVM's.
   */
  static void cleanEnvironment(Map<String, String> e) {
    e.keySet()
        .removeIf(
            k ->
                k.startsWith("TRACELET_")
                    || k.startsWith("MLFLOW_")
                    || k.startsWith("WANDB_")
                    || k.startsWith("CLEARML_")
                    || k.equals("RANK")
                    || k.equals("WORLD_SIZE")
                    || k.equals("JAVA_OPTS")
                    || k.equals("JAVA_TOOL_OPTIONS"));
    e.put("JAVA_HOME", System.getProperty("java.home"));
  }

  long pid() {
    return process.pid();
  }

  /** The rest of the next line that starts with {@code prefix}; fails at EOF or after the guard. */
  String await(String prefix, Duration guard) throws InterruptedException {
    long deadline = System.nanoTime() + guard.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(
            "process " + pid() + " printed no '" + prefix + "' within " + guard + describe());
      }
      if (line.equals(EOF)) {
        lines.add(EOF);
        throw new AssertionError(
            "process " + pid() + " ended before printing '" + prefix + "'" + describe());
      }
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).strip();
      }
    }
  }

  /**
   * Kills the process with SIGKILL, waits for it, checks that the signal ended it, and reads what
   * it printed before it died. On Linux {@link Process#destroyForcibly()} sends SIGKILL (the JDK's
   * {@code ProcessHandleImpl.destroy0} signals SIGKILL when forced, SIGTERM otherwise), and the JDK
   * reports a process ended by a signal as exiting with 128 + the signal's number: 137 proves it.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("the killed process ends").isTrue();
    assertThat(process.exitValue()).as("exit value" + describe()).isEqualTo(KILLED_BY_SIGKILL);
    drain();
  }

  /** Waits for the process to end by itself; returns its exit value. */
  int awaitExit(Duration guard) throws InterruptedException {
    if (!process.waitFor(guard.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("process " + pid() + " did not end within " + guard + describe());
    }
    drain();
    return process.exitValue();
  }

  private void drain() throws InterruptedException {
    String line;
    while ((line = lines.poll(1, TimeUnit.MINUTES)) != null && !line.equals(EOF)) {
      seen.add(line);
    }
  }

  /** Every stdout line read so far that starts with {@code prefix}, without the prefix. */
  List<String> seen(String prefix) {
    return seen.stream()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()).strip())
        .toList();
  }

  /** What the process printed, for failure messages. */
  String describe() {
    String err;
    try {
      err = Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      err = e.toString();
    }
    if (err.length() > 20_000) {
      err = "…" + err.substring(err.length() - 20_000);
    }
    return "\n--- stdout so far:\n"
        + String.join("\n", seen)
        + "\n--- stderr ("
        + log
        + "):\n"
        + err;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
