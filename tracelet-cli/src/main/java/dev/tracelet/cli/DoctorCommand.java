package dev.tracelet.cli;

import dev.tracelet.api.TraceletSettings;
import dev.tracelet.api.plugin.ConfigKey;
import dev.tracelet.core.TraceletEngine;
import dev.tracelet.core.plugin.PluginReport;
import dev.tracelet.core.settings.ResolvedSettings;
import dev.tracelet.core.settings.SettingsSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tracelet doctor}: what Tracelet would do here and why — version, effective settings with
 * their sources (secrets masked), plugin folders, plugins, and every problem found. Exits 1 when
 * there is a problem, so it can gate a CI job.
 */
@Command(
    name = "doctor",
    description = {
      "Check the setup and report problems.",
      "Shows the effective settings and where each came from (secrets masked), the plugin"
          + " folders, the plugins and backends, and every problem found. Exits 1 when there is"
          + " a problem."
    })
final class DoctorCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin Mixins.Json json = new Mixins.Json();

  @Option(
      names = "--connect",
      description =
          "Also reach each selected backend's store (network for remote backends; the local"
              + " backend creates its store folder if missing).")
  boolean connect;

  DoctorCommand(CliContext context) {
    this.context = context;
  }

  /** One effective setting; {@code value} is already masked when secret. */
  record Setting(String key, String value, String source, String description) {}

  @Override
  public Integer call() {
    SettingsSources sources = context.sources();
    try (TraceletEngine engine = context.openEngine()) {
      List<String> problems = new ArrayList<>(engine.problems());
      List<Setting> settings = List.of();
      @Nullable Path settingsFile = null;
      List<String> selected = List.of();
      if (engine.settingsProblem().isEmpty()) {
        ResolvedSettings resolved = engine.resolvedSettings();
        settingsFile = resolved.settingsFile().orElse(null);
        settings = settings(resolved, engine.declaredBackendSettings());
        selected = resolved.settings().backends();
      }
      Map<String, String> connections = new LinkedHashMap<>();
      if (connect && engine.settingsProblem().isEmpty()) {
        for (String backend : selected) {
          if (engine.registry().find(backend).isEmpty()) {
            continue; // already a problem: not installed
          }
          try {
            int n = engine.store(backend).listExperiments().size();
            connections.put(backend, "ok (" + n + (n == 1 ? " experiment)" : " experiments)"));
          } catch (RuntimeException e) {
            String why = Formats.oneLine(String.valueOf(e.getMessage()));
            connections.put(backend, "failed: " + why);
            problems.add("backend '" + backend + "' cannot be reached: " + why);
          }
        }
      }
      if (json.enabled) {
        context.printJson(
            json(sources, engine, settingsFile, settings, selected, connections, problems));
      } else {
        print(sources, engine, settingsFile, settings, selected, connections, problems);
      }
      return problems.isEmpty() ? ExitCodes.OK : ExitCodes.PROBLEM;
    }
  }

  /** Every effective setting, plus the backends' declared keys that nothing sets. */
  static List<Setting> settings(ResolvedSettings resolved, Map<String, List<ConfigKey>> declared) {
    TraceletSettings s = resolved.settings();
    Map<String, String> descriptions = new TreeMap<>();
    declared.forEach(
        (backend, keys) ->
            keys.forEach(k -> descriptions.put(backend + "." + k.name(), k.description())));
    Map<String, Setting> out = new TreeMap<>();
    s.asMap()
        .forEach(
            (key, value) ->
                out.put(
                    key,
                    new Setting(
                        key,
                        value,
                        resolved.origins().getOrDefault(key, "default"),
                        descriptions.getOrDefault(key, ""))));
    descriptions.forEach(
        (key, description) -> out.putIfAbsent(key, new Setting(key, "(not set)", "", description)));
    return List.copyOf(out.values());
  }

  private void print(
      SettingsSources sources,
      TraceletEngine engine,
      @Nullable Path settingsFile,
      List<Setting> settings,
      List<String> selected,
      Map<String, String> connections,
      List<String> problems) {
    var out = context.out();
    out.println(
        "Tracelet "
            + TraceletEngine.version()
            + " on Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    Table where = new Table("WHAT", "WHERE");
    where.row(
        "Home",
        sources.homeDir().map(Path::toString).orElse("(none: not started from a distribution)"));
    where.row("Working directory", sources.workingDirectory());
    where.row(
        "Settings file",
        settingsFile != null
            ? settingsFile
            : "(none: looked for tracelet.yaml, .yml, .properties in the working directory"
                + (sources.homeDir().isPresent() ? " and the home's conf/)" : ")"));
    context.print(where);

    out.println();
    out.println("Settings");
    if (engine.settingsProblem().isPresent()) {
      out.println("  (not shown: the settings are invalid, see the problems below)");
    } else {
      Table t = new Table("KEY", "VALUE", "SOURCE");
      settings.forEach(s -> t.row(s.key(), s.value(), s.source()));
      context.print(t);
    }

    out.println();
    new PluginsCommand(context).printFolders(engine.pluginRoots());
    out.println();
    out.println("Plugins");
    List<PluginReport> reports = engine.plugins();
    if (reports.isEmpty()) {
      out.println("  (none found)");
    } else {
      context.print(PluginsCommand.table(reports, engine.pluginRoots()));
    }

    out.println();
    out.println(
        "Backends: installed "
            + (engine.registry().names().isEmpty()
                ? "(none)"
                : String.join(", ", engine.registry().names()))
            + "; selected "
            + (selected.isEmpty() ? "(unknown)" : String.join(", ", selected)));
    connections.forEach((b, state) -> out.println("  " + b + ": " + state));

    out.println();
    if (problems.isEmpty()) {
      out.println("No problems found.");
    } else {
      out.println("Problems (" + problems.size() + ")");
      for (String p : problems) {
        out.println("  - " + Formats.oneLine(p));
      }
    }
    out.flush();
  }

  private static Map<String, Object> json(
      SettingsSources sources,
      TraceletEngine engine,
      @Nullable Path settingsFile,
      List<Setting> settings,
      List<String> selected,
      Map<String, String> connections,
      List<String> problems) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", TraceletEngine.version());
    m.put("java", System.getProperty("java.version"));
    m.put("home", sources.homeDir().map(Path::toString).orElse(null));
    m.put("working_directory", sources.workingDirectory().toString());
    m.put("settings_file", settingsFile == null ? null : settingsFile.toString());
    List<Map<String, Object>> s = new ArrayList<>();
    for (Setting setting : settings) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("key", setting.key());
      e.put("value", setting.value());
      e.put("source", setting.source());
      e.put("description", setting.description());
      s.add(e);
    }
    m.put("settings", s);
    List<Map<String, Object>> folders = new ArrayList<>();
    for (Path root : engine.pluginRoots()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("path", root.toString());
      f.put("exists", Files.isDirectory(root));
      folders.add(f);
    }
    m.put("plugin_folders", folders);
    m.put("plugins", engine.plugins().stream().map(JsonViews::plugin).toList());
    m.put("installed_backends", List.copyOf(engine.registry().names()));
    m.put("selected_backends", selected);
    m.put("connections", connections);
    m.put("problems", problems);
    return m;
  }
}
