package dev.tracelet.cli;

import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.plugin.PluginReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code tracelet plugins}: {@code list} (which plugin JARs were found and what became of each),
 * {@code verify}, {@code install}, and {@code enable}/{@code disable}, which write PF4J's {@code
 * enabled.txt}/{@code disabled.txt} in the first plugin folder.
 */
@Command(
    name = "plugins",
    description = "The installed plugins: list, verify, install, enable, disable.",
    subcommands = {PluginsVerifyCommand.class, PluginsInstallCommand.class})
final class PluginsCommand {
  private final CliContext context;

  PluginsCommand(CliContext context) {
    this.context = context;
  }

  @Command(
      name = "list",
      description = {
        "List the plugins and what became of each.",
        "Shows the plugin folders searched, then each plugin JAR (and backend on the class"
            + " path) with its id, version, type, state, file and why it is not usable. Exits 1"
            + " when a plugin could not be used."
      })
  int list(@Mixin Mixins.Json json) {
    try (TraceletEngine engine = context.openEngine()) {
      List<PluginReport> reports = engine.plugins();
      List<Path> roots = engine.pluginRoots();
      if (json.enabled) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("folders", roots.stream().map(PluginsCommand::folderJson).toList());
        m.put("plugins", reports.stream().map(JsonViews::plugin).toList());
        context.printJson(m);
      } else {
        printFolders(roots);
        context.out().println();
        if (reports.isEmpty()) {
          context.out().println("No plugins found.");
        } else {
          context.print(table(reports, roots));
        }
      }
      return reports.stream().allMatch(PluginReport::usable) ? ExitCodes.OK : ExitCodes.PROBLEM;
    }
  }

  @Command(
      name = "enable",
      description = {
        "Enable a disabled plugin (edits enabled.txt/disabled.txt in the first plugin folder).",
        "Programs and commands started afterwards load it; a running one keeps its state."
      })
  int enable(@Parameters(paramLabel = "PLUGIN_ID", description = "The plugin's id.") String id) {
    return setState(id, true);
  }

  @Command(
      name = "disable",
      description = {
        "Disable a plugin without removing its JAR (edits disabled.txt in the first plugin"
            + " folder).",
        "Programs and commands started afterwards leave it unloaded; a running one keeps its"
            + " state."
      })
  int disable(@Parameters(paramLabel = "PLUGIN_ID", description = "The plugin's id.") String id) {
    return setState(id, false);
  }

  private int setState(String id, boolean enabled) {
    PluginFolders folders = new PluginFolders(context);
    PluginJarInspector inspector = new PluginJarInspector("0.0.0", java.util.Set.of());
    List<String> ids = new java.util.ArrayList<>();
    for (Path jar : folders.jars()) {
      String found = inspector.inspect(jar).id();
      if (!found.isEmpty()) {
        ids.add(found);
      }
    }
    if (!ids.contains(id)) {
      throw CliException.notFound(
          "no plugin JAR in "
              + folders.roots()
              + " has the id '"
              + id
              + "'; installed: "
              + (ids.isEmpty() ? "(none)" : String.join(", ", ids)));
    }
    PluginStatusFiles files = new PluginStatusFiles(folders.first());
    if (enabled) {
      files.enable(id);
    } else {
      files.disable(id);
    }
    boolean disabled = files.isDisabled(id);
    context
        .out()
        .println(
            "Plugin "
                + id
                + " is "
                + (disabled ? "disabled" : "enabled")
                + " ("
                + files.enabledFile().getFileName()
                + " and "
                + files.disabledFile().getFileName()
                + " in "
                + folders.first()
                + "); programs and commands started from now on "
                + (disabled ? "leave it unloaded." : "load it."));
    context.out().flush();
    return ExitCodes.OK;
  }

  void printFolders(List<Path> roots) {
    context.out().println("Plugin folders, searched in order:");
    for (Path root : roots) {
      context.out().println("  " + root + "  " + folderState(root));
    }
  }

  static Table table(List<PluginReport> reports, List<Path> roots) {
    Table t = new Table("ID", "VERSION", "TYPE", "STATE", "BACKENDS", "FILE", "ERROR");
    for (PluginReport r : reports) {
      t.row(
          r.id(),
          r.version(),
          r.type(),
          r.state(),
          String.join(", ", r.backends()),
          shortFile(r.file(), roots),
          r.error());
    }
    return t;
  }

  /** A JAR's name when it sits in a listed folder (the folders are printed above the table). */
  static String shortFile(String file, List<Path> roots) {
    try {
      Path p = Path.of(file);
      for (Path root : roots) {
        if (p.getParent() != null && p.toAbsolutePath().getParent().equals(root.toAbsolutePath())) {
          return String.valueOf(p.getFileName());
        }
      }
    } catch (RuntimeException e) {
      // "classpath" or another non-path: shown as is.
    }
    return file;
  }

  static String folderState(Path root) {
    if (!Files.isDirectory(root)) {
      return "(missing)";
    }
    try (Stream<Path> files = Files.list(root)) {
      long jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).count();
      return "(" + jars + (jars == 1 ? " JAR)" : " JARs)");
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static Map<String, Object> folderJson(Path root) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", root.toString());
    m.put("exists", Files.isDirectory(root));
    return m;
  }
}
