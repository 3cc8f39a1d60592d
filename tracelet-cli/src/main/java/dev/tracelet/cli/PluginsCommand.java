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

/** {@code tracelet plugins list}: which plugin JARs were found and what became of each. */
@Command(name = "plugins", description = "The installed plugins.")
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
