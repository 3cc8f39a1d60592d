package dev.tracelet.cli;

import dev.tracelet.api.TraceletVersion;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tracelet plugins verify [JAR...]}: checks plugin JARs without loading them. */
@Command(
    name = "verify",
    description = {
      "Check plugin JARs the way Tracelet and its build do, without loading them.",
      "Checks that the manifest has Plugin-Id and a SemVer Plugin-Version, that this Tracelet"
          + " meets Plugin-Requires, that no Tracelet API or PF4J classes and no root"
          + " plugin.properties are inside, and that META-INF/extensions.idx names classes the JAR"
          + " holds. Prints each JAR's SHA-256 and whether plugins_allowed_sha256 allows it."
          + " Without arguments, checks every JAR in the plugin folders (and that no two share a"
          + " plugin id). Exits 1 when a JAR fails a check."
    })
final class PluginsVerifyCommand implements Callable<Integer> {
  private final CliContext context;

  @Parameters(
      paramLabel = "JAR",
      arity = "0..*",
      description = "Plugin JARs to check (default: every JAR in the plugin folders).")
  List<Path> jars = new ArrayList<>();

  @Mixin Mixins.Json json = new Mixins.Json();

  PluginsVerifyCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    PluginFolders folders = new PluginFolders(context);
    PluginJarInspector inspector = folders.inspector();
    boolean installed = jars.isEmpty();
    List<Path> targets = installed ? folders.jars() : jars;
    List<PluginJarReport> reports = new ArrayList<>();
    for (Path jar : targets) {
      reports.add(
          Files.isRegularFile(jar)
              ? inspector.inspect(jar)
              : new PluginJarReport(
                  jar,
                  "",
                  "",
                  "",
                  List.of(),
                  "",
                  PluginJarReport.AllowList.NOT_SET,
                  List.of("no such file")));
    }
    if (installed) {
      reports = withDuplicateIds(reports);
    }
    if (json.enabled) {
      context.printJson(reports.stream().map(PluginsVerifyCommand::toJson).toList());
    } else if (reports.isEmpty()) {
      context.out().println("No plugin JARs in " + folders.roots() + ".");
    } else {
      for (PluginJarReport r : reports) {
        print(context.out(), r);
      }
      long failed = reports.stream().filter(r -> !r.ok()).count();
      context
          .out()
          .println(
              reports.size()
                  + (reports.size() == 1 ? " JAR" : " JARs")
                  + " checked, "
                  + (failed == 0 ? "all passed." : failed + " failed."));
    }
    context.out().flush();
    return reports.stream().allMatch(PluginJarReport::ok) ? ExitCodes.OK : ExitCodes.PROBLEM;
  }

  /** PF4J loads one plugin per id: a second JAR with the same id would be refused. */
  private static List<PluginJarReport> withDuplicateIds(List<PluginJarReport> reports) {
    Map<String, Path> firstById = new LinkedHashMap<>();
    List<PluginJarReport> out = new ArrayList<>();
    for (PluginJarReport r : reports) {
      @Nullable Path first = r.id().isEmpty() ? null : firstById.putIfAbsent(r.id(), r.jar());
      if (first == null) {
        out.add(r);
        continue;
      }
      List<String> problems = new ArrayList<>(r.problems());
      problems.add(
          "plugin id '" + r.id() + "' is also in " + first + ", so only one loads; remove one");
      out.add(
          new PluginJarReport(
              r.jar(),
              r.id(),
              r.version(),
              r.requires(),
              r.extensions(),
              r.sha256(),
              r.allowList(),
              problems));
    }
    return out;
  }

  /** The block {@code verify} and {@code install} print for one JAR. */
  static void print(PrintWriter out, PluginJarReport r) {
    out.println(r.jar() + "  " + (r.ok() ? "OK" : "FAILED"));
    if (!r.id().isEmpty() || !r.version().isEmpty()) {
      out.println(
          "  plugin      "
              + r.id()
              + " "
              + r.version()
              + ", requires "
              + (r.requires().isEmpty() ? "any Tracelet" : "Tracelet " + r.requires())
              + " (this is "
              + TraceletVersion.apiVersion()
              + ")");
    }
    if (!r.extensions().isEmpty()) {
      out.println("  extensions  " + String.join(", ", r.extensions()));
    }
    if (!r.sha256().isEmpty()) {
      out.println("  sha256      " + r.sha256());
      out.println("  allowed     " + allowedText(r.allowList()));
    }
    for (String p : r.problems()) {
      out.println("  problem     " + p);
    }
    out.println();
  }

  private static String allowedText(PluginJarReport.AllowList a) {
    return switch (a) {
      case NOT_SET -> "yes (plugins_allowed_sha256 is not set, so every JAR may load)";
      case ALLOWED -> "yes (its SHA-256 is in plugins_allowed_sha256)";
      case NOT_ALLOWED -> "NO (its SHA-256 is not in plugins_allowed_sha256)";
    };
  }

  static Map<String, Object> toJson(PluginJarReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", r.jar().toString());
    m.put("ok", r.ok());
    m.put("id", r.id());
    m.put("version", r.version());
    m.put("requires", r.requires());
    m.put("tracelet_version", TraceletVersion.apiVersion());
    m.put("extensions", r.extensions());
    m.put("sha256", r.sha256());
    m.put("allowed", r.allowList().name().toLowerCase(java.util.Locale.ROOT));
    m.put("problems", r.problems());
    return m;
  }
}
