package dev.tracelet.cli;

import dev.tracelet.api.artifact.TraceletArtifact;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.pf4j.DefaultVersionManager;

/**
 * Checks a plugin JAR against the rules the host and the build hold plugins to, without loading any
 * of its classes: a PF4J manifest with {@code Plugin-Id} and a SemVer {@code Plugin-Version}, a
 * {@code Plugin-Requires} this Tracelet meets, no API or PF4J classes inside (they would shadow the
 * host's), no {@code plugin.properties} at the root (PF4J would read it instead of the manifest),
 * and an extension index naming classes the JAR holds. Also takes its SHA-256 and looks it up in
 * the allow-list.
 */
final class PluginJarInspector {
  // semver.org's regular expression for a version.
  private static final Pattern SEMVER =
      Pattern.compile(
          "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
              + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)"
              + "(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
              + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");
  private static final Pattern BARE_VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
  private static final String INDEX = "META-INF/extensions.idx";

  private final String hostVersion;
  private final Set<String> allowList;

  /**
   * @param hostVersion the version {@code Plugin-Requires} is checked against, as the host does
   * @param allowList the digests of {@code plugins_allowed_sha256}; empty allows every JAR
   */
  PluginJarInspector(String hostVersion, Set<String> allowList) {
    this.hostVersion = hostVersion;
    this.allowList = Set.copyOf(allowList);
  }

  PluginJarReport inspect(Path jar) {
    List<String> problems = new ArrayList<>();
    String sha256 = "";
    try {
      sha256 = TraceletArtifact.sha256(jar);
    } catch (IOException e) {
      problems.add("cannot be read: " + e.getMessage());
      return new PluginJarReport(
          jar, "", "", "", List.of(), "", PluginJarReport.AllowList.NOT_SET, problems);
    }
    PluginJarReport.AllowList allowed =
        allowList.isEmpty()
            ? PluginJarReport.AllowList.NOT_SET
            : allowList.contains(sha256)
                ? PluginJarReport.AllowList.ALLOWED
                : PluginJarReport.AllowList.NOT_ALLOWED;
    String id = "";
    String version = "";
    String requires = "";
    List<String> extensions = new ArrayList<>();
    try (JarFile j = new JarFile(jar.toFile(), false)) {
      Manifest manifest = j.getManifest();
      Attributes main = manifest == null ? new Attributes() : manifest.getMainAttributes();
      id = value(main, "Plugin-Id");
      version = value(main, "Plugin-Version");
      requires = value(main, "Plugin-Requires");
      checkDescriptor(id, version, requires, problems);
      checkContents(j, problems);
      extensions.addAll(checkIndex(j, problems));
    } catch (IOException e) {
      problems.add("is not a readable JAR (" + e.getMessage() + "); rebuild or download it again");
    }
    if (allowed == PluginJarReport.AllowList.NOT_ALLOWED) {
      problems.add(
          "its SHA-256 is not in plugins_allowed_sha256, so Tracelet refuses to load it; add "
              + sha256
              + " to the setting if this JAR is approved");
    }
    return new PluginJarReport(jar, id, version, requires, extensions, sha256, allowed, problems);
  }

  private void checkDescriptor(String id, String version, String requires, List<String> problems) {
    if (id.isEmpty()) {
      problems.add(
          "its manifest has no Plugin-Id; write the PF4J descriptor into META-INF/MANIFEST.MF"
              + " (Plugin-Id, Plugin-Version, Plugin-Requires)");
    }
    if (version.isEmpty()) {
      problems.add("its manifest has no Plugin-Version; set it to the plugin's SemVer version");
    } else if (!SEMVER.matcher(version).matches()) {
      problems.add(
          "its Plugin-Version '"
              + version
              + "' is not a SemVer version such as 1.2.0 or 1.2.0-rc.1");
    }
    if (requires.isEmpty() || requires.equals("*")) {
      return;
    }
    // As PF4J does: a bare version means "this version or newer".
    String constraint = BARE_VERSION.matcher(requires).matches() ? ">=" + requires : requires;
    boolean met;
    try {
      met = new DefaultVersionManager().checkVersionConstraint(hostVersion, constraint);
    } catch (RuntimeException e) {
      problems.add(
          "its Plugin-Requires '"
              + requires
              + "' is not a version range PF4J understands (such as '>=0.1.0 & <0.2.0'): "
              + e.getMessage());
      return;
    }
    if (!met) {
      problems.add(
          "it requires Tracelet "
              + requires
              + " but this is Tracelet "
              + hostVersion
              + "; use a version of the plugin built for Tracelet "
              + hostVersion
              + ", or upgrade Tracelet");
    }
  }

  private static void checkContents(JarFile j, List<String> problems) {
    List<String> shadowing = new ArrayList<>();
    j.stream()
        .map(ZipEntry::getName)
        .filter(n -> n.startsWith("dev/tracelet/api/") || n.startsWith("org/pf4j/"))
        .filter(n -> n.endsWith(".class"))
        .limit(3)
        .forEach(shadowing::add);
    if (!shadowing.isEmpty()) {
      problems.add(
          "it contains Tracelet API or PF4J classes ("
              + String.join(", ", shadowing)
              + ", …), which would shadow the host's; declare tracelet-api and pf4j with provided"
              + " scope");
    }
    if (j.getEntry("plugin.properties") != null) {
      problems.add(
          "it has a plugin.properties at its root, which PF4J reads instead of the manifest;"
              + " exclude it from the JAR");
    }
  }

  private static List<String> checkIndex(JarFile j, List<String> problems) throws IOException {
    ZipEntry index = j.getEntry(INDEX);
    if (index == null) {
      problems.add(
          "it has no "
              + INDEX
              + ", so PF4J finds no backend in it; annotate the backend with @Extension and"
              + " compile with annotation processing on (-proc:full)");
      return List.of();
    }
    List<String> classes = new ArrayList<>();
    try (InputStream in = j.getInputStream(index);
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String name = line.trim();
        if (!name.isEmpty() && !name.startsWith("#")) {
          classes.add(name);
        }
      }
    }
    if (classes.isEmpty()) {
      problems.add(
          INDEX
              + " names no class; annotate the backend with @Extension and compile with annotation"
              + " processing on (-proc:full)");
    }
    for (String c : classes) {
      if (j.getEntry(c.replace('.', '/') + ".class") == null) {
        problems.add(INDEX + " names " + c + ", which is not in the JAR");
      }
    }
    return classes;
  }

  private static String value(Attributes attributes, String name) {
    String v = attributes.getValue(name);
    return v == null ? "" : v.trim();
  }
}
