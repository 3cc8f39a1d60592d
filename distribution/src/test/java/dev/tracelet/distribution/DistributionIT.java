package dev.tracelet.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tests the built archive the way a user meets it: unpacked from the {@code .tar.gz} (not the IDE's
 * class path), started through {@code bin/tracelet} from other working directories and through
 * symlinks, with the environment of this machine's Tracelet variables removed.
 */
class DistributionIT {
  private static final String VERSION = System.getProperty("dist.version");
  private static final Path TARBALL = Path.of(System.getProperty("dist.tarball"));
  private static final Path ZIP = Path.of(System.getProperty("dist.zip"));
  private static final Path WORK = Path.of(System.getProperty("dist.work"));
  private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

  private static Path home;
  private static int scratchCount;

  /** What one launcher run printed and returned. */
  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void unpack() throws Exception {
    deleteTree(WORK);
    Path unpacked = Files.createDirectories(WORK.resolve("unpacked"));
    Result tar = exec(WORK, Map.of(), "tar", "-xzf", TARBALL.toString(), "-C", unpacked.toString());
    assertThat(tar.exitCode()).as("tar: %s", tar.err()).isZero();
    home = unpacked.resolve("tracelet-" + VERSION).toRealPath();
  }

  // ---- the archive -----------------------------------------------------------------------------

  @Test
  void archiveHasTheDocumentedLayout() throws IOException {
    Path launcher = home.resolve("bin/tracelet");
    assertThat(Files.getPosixFilePermissions(launcher))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Files.readString(launcher)).startsWith("#!/bin/sh\n").doesNotContain("\r");
    assertThat(Files.readString(home.resolve("bin/tracelet.bat"))).contains("\r\n");
    assertThat(Files.getPosixFilePermissions(home.resolve("conf/tracelet.yaml")))
        .doesNotContain(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_WRITE);
    assertThat(home.resolve("plugins")).isDirectory();
    assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License");
    assertThat(Files.readString(home.resolve("README.md")))
        .startsWith("# Tracelet " + VERSION + "\n");
    assertThat(home.resolve("examples/quickstart/src/main/java/example/Quickstart.java"))
        .isRegularFile();
    assertThat(Files.readString(home.resolve("examples/quickstart/pom.xml")))
        .as("the example's Tracelet version follows the build")
        .contains("<tracelet.version>" + VERSION + "</tracelet.version>");

    List<String> lib = names(home.resolve("lib"));
    assertThat(lib)
        .contains(
            "tracelet-api-" + VERSION + ".jar",
            "tracelet-core-" + VERSION + ".jar",
            "tracelet-cli-" + VERSION + ".jar")
        .anyMatch(n -> n.startsWith("pf4j-"))
        .anyMatch(n -> n.startsWith("picocli-"))
        .anyMatch(n -> n.startsWith("slf4j-simple-"));
    // A plugin or its private libraries in lib/ would hide a plugin JAR's missing classes.
    assertThat(lib)
        .noneMatch(n -> n.startsWith("tracelet-plugin-"))
        .noneMatch(n -> n.startsWith("tracelet-http"))
        .noneMatch(n -> n.startsWith("okhttp"))
        .noneMatch(n -> n.startsWith("sqlite-jdbc"))
        .noneMatch(n -> n.contains("jgit"))
        .noneMatch(n -> n.startsWith("junit") || n.startsWith("assertj"));
  }

  @Test
  void bundledPluginJarsAreSelfContainedPlugins() throws IOException {
    for (Path jar : pluginJars()) {
      try (JarFile j = new JarFile(jar.toFile())) {
        assertThat(j.getManifest().getMainAttributes().getValue("Plugin-Id"))
            .as("Plugin-Id of %s", jar)
            .isNotBlank();
        assertThat(j.getEntry("META-INF/extensions.idx")).as("index of %s", jar).isNotNull();
        assertThat(j.stream().map(ZipEntry::getName))
            .as("%s must leave the API and PF4J to the host", jar)
            .noneMatch(n -> n.startsWith("dev/tracelet/api/") || n.startsWith("org/pf4j/"));
      }
    }
  }

  @Test
  void zipHoldsTheSameFilesAsTheTarball() throws IOException {
    Set<String> fromTar = new TreeSet<>();
    try (Stream<Path> files = Files.walk(home)) {
      files
          .filter(Files::isRegularFile)
          .forEach(f -> fromTar.add("tracelet-" + VERSION + "/" + home.relativize(f)));
    }
    Set<String> fromZip = new TreeSet<>();
    try (ZipFile zip = new ZipFile(ZIP.toFile())) {
      zip.stream().filter(e -> !e.isDirectory()).forEach(e -> fromZip.add(e.getName()));
    }

    assertThat(fromZip).isEqualTo(fromTar);
  }

  // ---- the launcher ----------------------------------------------------------------------------

  @Test
  void versionComesFromTheBuild() throws Exception {
    Result r = tracelet(scratch(), Map.of(), "--version");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).startsWith("tracelet " + VERSION + "\n");
  }

  @Test
  void pluginsListShowsTheBundledPlugins() throws Exception {
    Result r = tracelet(scratch(), Map.of(), "plugins", "list");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains(home.resolve("plugins") + "  (" + pluginJars().size() + " JAR");
    for (Path jar : pluginJars()) {
      String id = pluginId(jar);
      assertThat(r.out().lines().filter(l -> l.startsWith(id + " ")))
          .as("a STARTED line for %s in%n%s", id, r.out())
          .singleElement()
          .satisfies(l -> assertThat(l).contains(" STARTED ").contains(VERSION));
    }
    if (pluginJars().isEmpty()) {
      assertThat(r.out()).contains("No plugins found.");
    }
  }

  @Test
  void doctorRunsFromAnotherFolderWithoutSideEffects() throws Exception {
    Path dir = scratch();

    Result r = tracelet(dir, Map.of(), "doctor");

    assertThat(r.out())
        .contains("Tracelet " + VERSION)
        .contains("Home               " + home)
        .contains("Working directory  " + dir)
        .contains(home.resolve("conf/tracelet.yaml").toString())
        .contains(home.resolve("plugins").toString());
    if (hasLocalPlugin()) {
      assertThat(r.exitCode()).as(r.toString()).isZero();
      assertThat(r.out()).contains("No problems found.");
    } else {
      // The default backend is 'local': doctor must say that it is missing, and exit 1.
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
      assertThat(r.out()).contains("backend 'local' is selected but not installed");
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("doctor must not create files in the working directory").isEmpty();
    }
  }

  @Test
  void worksThroughChainsOfSymlinks() throws Exception {
    Path links = scratch();
    Path first = Files.createSymbolicLink(links.resolve("tracelet"), home.resolve("bin/tracelet"));
    Path other = Files.createDirectories(links.resolve("on-path"));
    // A relative link to a link, as a package manager might leave it.
    Path second = Files.createSymbolicLink(other.resolve("tracelet"), other.relativize(first));
    Path dir = scratch();

    Result version = exec(dir, Map.of(), second.toString(), "--version");
    Result doctor = exec(dir, Map.of(), second.toString(), "doctor");

    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.out()).startsWith("tracelet " + VERSION);
    assertThat(doctor.out()).contains("Home               " + home);
  }

  @Test
  void javaOptsThenTraceletOptsReachTheJvm() throws Exception {
    Path dir = scratch();

    Result javaOpts =
        tracelet(
            dir, Map.of("JAVA_OPTS", "-Dtracelet.project=x -Dtracelet.track_git=false"), "doctor");
    Result both =
        tracelet(
            dir,
            Map.of(
                "JAVA_OPTS", "-Dtracelet.project=x",
                "TRACELET_OPTS", "-Dtracelet.project=y -Xmx256m"),
            "doctor");

    // Both words of JAVA_OPTS arrived, so it was split, not passed as one argument.
    assertThat(javaOpts.out())
        .containsPattern("project +x +system property tracelet\\.project")
        .containsPattern("track_git +false +system property tracelet\\.track_git");
    assertThat(both.out()).containsPattern("project +y +system property tracelet\\.project");
  }

  @Test
  void tablesFitTheTerminalTheLauncherRunsIn() throws Exception {
    Path script = Path.of("/usr/bin/script");
    assumeTrue(Files.isExecutable(script), "needs util-linux 'script' to give the launcher a tty");
    assumeTrue(home.toString().length() > 55, "the home path must be long enough to need wrapping");
    Path dir = scratch();

    // 'script' runs the launcher on a pseudo-terminal 72 columns wide; COLUMNS is not set.
    Result r =
        exec(
            dir,
            Map.of(),
            script.toString(),
            "-qec",
            "stty cols 72 rows 40; " + launcher() + " doctor",
            "/dev/null");

    List<String> lines = r.out().replace("\r", "").lines().toList();
    assertThat(lines).contains("WHAT               WHERE");
    // Tables fit; the plain lists below them (folders, problems) are indented and may not, and
    // log lines ("[WARN] ...") share the terminal but are another test's business.
    assertThat(lines.stream().filter(l -> !l.startsWith("  ") && !l.startsWith("[")))
        .allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(72));
    assertThat(String.join("", lines)).contains("Home");
  }

  @Test
  void exitCodesPassThroughTheLauncher() throws Exception {
    Path dir = scratch();

    Result usage = tracelet(dir, Map.of(), "runs", "list", "--no-such-option");
    Result missing = tracelet(dir, Map.of(), "runs", "show", "0123456789abcdef");

    assertThat(usage.exitCode()).as(usage.toString()).isEqualTo(2);
    assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(1);
    assertThat(missing.err().lines().filter(l -> l.startsWith("tracelet: ")))
        .as(missing.err())
        .hasSize(1);
    assertThat(missing.err()).doesNotContain("\tat ");
  }

  @Test
  void aHealthyCommandKeepsStderrEmpty() throws Exception {
    // Log noise on every command (a warning at exit, a stack trace from a library) would bury
    // the one-line errors scripts and users rely on.
    Result r = tracelet(scratch(), Map.of(), "plugins", "list");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.err()).isEmpty();
  }

  @Test
  void aJavaHomeWithoutJavaIsReportedClearly() throws Exception {
    Path fake = scratch();

    Result r = exec(scratch(), Map.of("JAVA_HOME", fake.toString()), launcher(), "--version");

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("JAVA_HOME is '" + fake + "'").contains("Java 17 or newer");
  }

  @Test
  void javaOlderThan17IsRefused() throws Exception {
    // A 'java' that answers -version like Java 11 and would fail the test if started for real.
    Path jdk = scratch();
    Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
    Files.writeString(
        java,
        "#!/bin/sh\n"
            + "if [ \"$1\" = -version ]; then echo 'openjdk version \"11.0.22\" 2024-01-16' >&2;"
            + " exit 0; fi\n"
            + "echo 'started although too old'; exit 42\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

    Result r = exec(scratch(), Map.of("JAVA_HOME", jdk.toString()), launcher(), "--version");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("needs Java 17 or newer").contains("11.0.22");
    assertThat(r.out()).doesNotContain("started although too old");

    // The release file, when there is one, is read instead of starting the JVM.
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"1.8.0_402\"\n");
    Result old = exec(scratch(), Map.of("JAVA_HOME", jdk.toString()), launcher(), "--version");
    assertThat(old.exitCode()).isEqualTo(1);
    assertThat(old.err()).contains("'1.8.0_402'");
  }

  @Test
  void withoutJavaHomeTheJavaOnThePathIsUsedOrItsAbsenceReported() throws Exception {
    // A PATH with only the tools the launcher needs, and then a java.
    Path bin = scratch();
    for (String tool : List.of("dirname", "readlink", "sed", "head", "cut", "stty")) {
      Files.createSymbolicLink(bin.resolve(tool), which(tool));
    }
    Map<String, String> env = new HashMap<>();
    env.put("JAVA_HOME", "");
    env.put("PATH", bin.toString());

    Result none = exec(scratch(), env, launcher(), "--version");
    Files.createSymbolicLink(bin.resolve("java"), JAVA_HOME.resolve("bin/java"));
    Result found = exec(scratch(), env, launcher(), "--version");

    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err()).contains("no Java found");
    assertThat(found.exitCode()).as(found.toString()).isZero();
    assertThat(found.out()).startsWith("tracelet " + VERSION);
  }

  // ---- with the local plugin
  // ---------------------------------------------------------------------

  @Test
  void demoThenRunsListAndShowFromAFreshFolder() throws Exception {
    requireLocalPlugin("demo -> runs list -> runs show -> models versions");
    Path dir = scratch();

    Result demo = tracelet(dir, Map.of(), "demo", "--epochs", "5");
    assertThat(demo.exitCode()).as(demo.toString()).isZero();
    String id = runId(demo.out());
    assertThat(dir.resolve("tracelet-runs"))
        .as("the local store is in the working directory")
        .exists();

    Result list = tracelet(dir, Map.of(), "runs", "list");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    assertThat(list.out()).contains(id).contains("FINISHED");

    Result show = tracelet(dir, Map.of(), "runs", "show", id);
    assertThat(show.exitCode()).as(show.toString()).isZero();
    assertThat(show.out()).contains("val_accuracy").contains("learning_rate").contains("model");

    Result versions = tracelet(dir, Map.of(), "models", "versions", "demo-logreg");
    assertThat(versions.exitCode()).as(versions.toString()).isZero();
    assertThat(versions.out()).contains(id);
  }

  @Test
  void theExampleCompilesAgainstLibAndRunsWithTheBundledPlugins() throws Exception {
    Path classes = scratch();
    Path source = home.resolve("examples/quickstart/src/main/java/example/Quickstart.java");
    // The README's command, with the javac launcher expanding lib/* as it documents.
    Result javac =
        exec(
            scratch(),
            Map.of(),
            JAVA_HOME.resolve("bin/javac").toString(),
            "-cp",
            home.resolve("lib") + "/*",
            "-d",
            classes.toString(),
            source.toString());
    assertThat(javac.exitCode()).as(javac.toString()).isZero();
    assertThat(classes.resolve("example/Quickstart.class")).isRegularFile();

    requireLocalPlugin("running the example program");
    Path dir = scratch();
    Result run =
        exec(
            dir,
            Map.of(),
            JAVA_HOME.resolve("bin/java").toString(),
            "-cp",
            classes + ":" + home.resolve("lib") + "/*",
            "-Dtracelet.home=" + home,
            "example.Quickstart");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    Matcher m = Pattern.compile("Run ([0-9a-f]{32}) logged").matcher(run.out());
    assertThat(m.find()).as(run.out()).isTrue();

    Result list = tracelet(dir, Map.of(), "runs", "list", "examples");
    assertThat(list.out()).contains(m.group(1));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String runId(String demoOutput) {
    Matcher m = Pattern.compile("Run ([0-9a-f]{32}) started").matcher(demoOutput);
    assertThat(m.find()).as(demoOutput).isTrue();
    return m.group(1);
  }

  /**
   * Skips the rest of a test until the local plugin is bundled, saying so in the build log (the
   * skip reason alone would only reach the test reports).
   */
  private static void requireLocalPlugin(String what) throws IOException {
    if (!hasLocalPlugin()) {
      String message =
          "SKIPPED "
              + what
              + ": plugins/ has no tracelet-plugin-local JAR yet; it runs once the local backend"
              + " plugin is in the build";
      System.out.println("[WARNING] DistributionIT " + message);
      assumeTrue(false, message);
    }
  }

  private static boolean hasLocalPlugin() throws IOException {
    return pluginJars().stream()
        .anyMatch(j -> j.getFileName().toString().startsWith("tracelet-plugin-local"));
  }

  private static List<Path> pluginJars() throws IOException {
    try (Stream<Path> files = Files.list(home.resolve("plugins"))) {
      return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
    }
  }

  private static String pluginId(Path jar) throws IOException {
    try (JarFile j = new JarFile(jar.toFile())) {
      return j.getManifest().getMainAttributes().getValue("Plugin-Id");
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static String launcher() {
    return home.resolve("bin/tracelet").toString();
  }

  /** A new, empty folder that is neither the distribution nor this build's folder. */
  private static synchronized Path scratch() throws IOException {
    return Files.createDirectories(WORK.resolve("scratch-" + (++scratchCount))).toRealPath();
  }

  private static Path which(String tool) {
    for (String dir : System.getenv("PATH").split(":")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException(tool + " is not on the PATH");
  }

  private static Result tracelet(Path dir, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(launcher());
    command.addAll(Arrays.asList(args));
    return exec(dir, env, command.toArray(String[]::new));
  }

  /**
   * Runs a command in {@code dir} with this JVM's Java as {@code JAVA_HOME}, without any Tracelet
   * or JVM-option variables of the machine, plus {@code env}; an empty value unsets a variable.
   */
  private static Result exec(Path dir, Map<String, String> env, String... command)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> e = pb.environment();
    e.keySet()
        .removeIf(
            k ->
                k.startsWith("TRACELET_")
                    || k.startsWith("MLFLOW_")
                    || k.equals("JAVA_OPTS")
                    || k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("COLUMNS"));
    e.put("JAVA_HOME", JAVA_HOME.toString());
    env.forEach(
        (k, v) -> {
          if (v.isEmpty()) {
            e.remove(k);
          } else {
            e.put(k, v);
          }
        });
    Path out = Files.createTempFile(WORK, "out-", ".txt");
    Path err = Files.createTempFile(WORK, "err-", ".txt");
    pb.redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(devNull()));
    Process p = pb.start();
    // A hang guard, not a speed check: a healthy command ends in seconds.
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + String.join(" ", command));
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static java.io.File devNull() {
    return new java.io.File("/dev/null");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    // A store may leave read-only folders (registered models are made immutable): open them
    // up first, or their contents could not be deleted.
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isDirectory).toList()) {
        if (!Files.isSymbolicLink(p)) {
          p.toFile().setWritable(true, true);
        }
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
