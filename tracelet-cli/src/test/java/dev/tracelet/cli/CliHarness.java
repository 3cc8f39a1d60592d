package dev.tracelet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracelet.core.settings.SettingsSources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the CLI in-process as {@code CommandLine.execute} would from {@code main}, over settings
 * isolated from this machine (no environment, an empty plugins folder) and a fresh {@code memory}
 * store per harness, capturing stdout and stderr.
 */
final class CliHarness {
  /** What one command printed and returned. */
  record Result(int exitCode, String out, String err) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(out);
      } catch (java.io.IOException e) {
        throw new UncheckedIOException("stdout is not JSON: " + out, e);
      }
    }
  }

  private final Path workDir;
  private final Map<String, String> props = new HashMap<>();
  private int width;

  CliHarness(Path workDir) {
    this.workDir = workDir;
    props.put("tracelet.plugins_dir", workDir.resolve("plugins").toString());
    props.put("tracelet.track_system", "false");
    props.put("tracelet.backend", "memory");
    props.put("tracelet.memory.store", UUID.randomUUID().toString());
    props.put("tracelet.shutdown_timeout", "20s");
  }

  /** Sets a system property the engine sees ({@code tracelet.*} settings). */
  CliHarness property(String name, String value) {
    props.put(name, value);
    return this;
  }

  CliHarness width(int columns) {
    this.width = columns;
    return this;
  }

  MemoryStore store() {
    return MemoryBackend.store(props.get("tracelet.memory.store"));
  }

  Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    SettingsSources sources = new SettingsSources(Map.of(), props, workDir, null);
    CliContext context =
        new CliContext(sources, new PrintWriter(out, true), new PrintWriter(err, true), width);
    int code = new TraceletCli(context).execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs {@code tracelet demo} with the arguments and returns the new run's id. */
  String demo(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "demo";
    System.arraycopy(args, 0, all, 1, args.length);
    Result r = run(all);
    if (r.exitCode() != 0) {
      throw new AssertionError("demo failed: " + r);
    }
    return runId(r.out());
  }

  static String runId(String demoOutput) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("Run ([0-9a-f]{32}) started").matcher(demoOutput);
    if (!m.find()) {
      throw new AssertionError("no run id in: " + demoOutput);
    }
    return m.group(1);
  }
}
