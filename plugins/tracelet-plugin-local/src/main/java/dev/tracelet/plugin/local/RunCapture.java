package dev.tracelet.plugin.local;

import dev.tracelet.api.ExperimentConfig;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a run records about where it ran, as configured by {@link ExperimentConfig}: short facts as
 * {@code tracelet.*} tags, the full picture as files of the {@code tracelet-capture} artifact
 * ({@code environment.json}, {@code args.json}, {@code git.json}, {@code code.diff}). Values that
 * look like secrets (options and properties named like a password, token, secret or key) are masked
 * before anything is written.
 */
final class RunCapture {
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(pass(word|wd)?|secret|token|api[_.-]?key|credential|auth).*");
  static final String MASK = "****";

  private RunCapture() {}

  /**
   * @param tags short facts, such as {@code tracelet.git.commit}
   * @param files file name → content
   */
  record Result(Map<String, String> tags, Map<String, byte[]> files) {}

  static Result capture(
      ExperimentConfig config, Path workDir, long maxDiffBytes, System.Logger logger) {
    Map<String, String> tags = new LinkedHashMap<>();
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (config.trackEnvironment()) {
      Map<String, Object> env = environment();
      tags.put("tracelet.env.java", String.valueOf(env.get("java_version")));
      tags.put("tracelet.env.os", env.get("os_name") + " " + env.get("os_version"));
      tags.put("tracelet.env.host", String.valueOf(env.get("host")));
      tags.put("tracelet.env.main_class", String.valueOf(env.get("main_class")));
      files.put("environment.json", utf8(Json.write(env)));
    }
    if (config.trackArgs()) {
      files.put("args.json", utf8(Json.write(arguments())));
    }
    if (config.trackGit()) {
      try {
        Optional<GitCapture.GitState> git = GitCapture.capture(workDir, maxDiffBytes);
        if (git.isPresent()) {
          GitCapture.GitState g = git.get();
          if (g.commit() != null) {
            tags.put("tracelet.git.commit", g.commit());
          }
          if (g.branch() != null) {
            tags.put("tracelet.git.branch", g.branch());
          }
          tags.put("tracelet.git.dirty", Boolean.toString(g.dirty()));
          if (g.remote() != null) {
            tags.put("tracelet.git.remote", g.remote());
          }
          files.put("git.json", utf8(Json.write(g.toMap())));
          if (!g.diff().isEmpty()) {
            files.put("code.diff", g.diff().getBytes(StandardCharsets.UTF_8));
          }
        }
      } catch (Exception | LinkageError e) {
        logger.log(
            System.Logger.Level.WARNING, "could not read git state of " + workDir + ": " + e);
      }
    }
    return new Result(tags, files);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, Object> environment() {
    Map<String, Object> env = new LinkedHashMap<>();
    env.put("java_version", System.getProperty("java.version"));
    env.put("java_vendor", System.getProperty("java.vendor"));
    env.put("java_vm", System.getProperty("java.vm.name"));
    env.put("os_name", System.getProperty("os.name"));
    env.put("os_version", System.getProperty("os.version"));
    env.put("os_arch", System.getProperty("os.arch"));
    env.put("host", ProcessOwner.current().host());
    env.put("pid", ProcessOwner.current().pid());
    env.put("cpus", Runtime.getRuntime().availableProcessors());
    env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      env.put("physical_memory_bytes", sun.getTotalMemorySize());
    }
    env.put("main_class", mainClass());
    env.put("class_path_jars", classPathJars());
    return env;
  }

  /** The launched main class (or JAR), from the launcher's record of the command. */
  static String mainClass() {
    String command = System.getProperty("sun.java.command", "");
    String first = command.strip().split("\\s+", 2)[0];
    return first.isEmpty() ? "unknown" : first;
  }

  /** File names of the JARs on the class path: which dependencies, in which versions. */
  static List<String> classPathJars() {
    List<String> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (entry.toLowerCase(Locale.ROOT).endsWith(".jar")) {
        jars.add(Path.of(entry).getFileName().toString());
      }
    }
    return jars;
  }

  static Map<String, Object> arguments() {
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("jvm_args", mask(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    String command = System.getProperty("sun.java.command", "").strip();
    String[] parts = command.isEmpty() ? new String[0] : command.split("\\s+");
    List<String> program = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      program.add(parts[i]);
    }
    args.put("main", parts.length == 0 ? "unknown" : parts[0]);
    args.put("program_args", mask(program));
    return args;
  }

  /**
   * Masks secret-looking values: {@code -Dapi.key=x}, {@code --token=x} and {@code --password x}
   * keep their names and lose their values.
   */
  static List<String> mask(List<String> args) {
    List<String> out = new ArrayList<>(args.size());
    boolean maskNext = false;
    for (String a : args) {
      if (maskNext && !a.startsWith("-")) {
        out.add(MASK);
        maskNext = false;
        continue;
      }
      maskNext = false;
      int eq = a.indexOf('=');
      if (eq > 0 && SECRET_NAME.matcher(a.substring(0, eq)).matches()) {
        out.add(a.substring(0, eq + 1) + MASK);
      } else if (a.startsWith("-") && eq < 0 && SECRET_NAME.matcher(a).matches()) {
        out.add(a);
        maskNext = true;
      } else {
        out.add(a);
      }
    }
    return out;
  }
}
