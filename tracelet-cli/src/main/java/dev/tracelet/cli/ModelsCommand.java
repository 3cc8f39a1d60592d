package dev.tracelet.cli;

import dev.tracelet.api.store.ModelRegistry;
import dev.tracelet.api.store.ModelVersion;
import dev.tracelet.api.store.Sort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tracelet models list|versions|tag|alias|register}: a store's model registry. */
@Command(
    name = "models",
    description = "The model registry: list models and versions, tag, alias and register.")
final class ModelsCommand {
  private final CliContext context;

  ModelsCommand(CliContext context) {
    this.context = context;
  }

  @Command(name = "list", description = "List registered models with their latest version.")
  int list(@Mixin Mixins.Backend backend, @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          ModelRegistry registry = store.registry();
          List<Map<String, Object>> rows = new ArrayList<>();
          Table t = new Table("MODEL", "VERSIONS", "LATEST", "REGISTERED", "ALIASES");
          for (String name : registry.listRegisteredModels()) {
            // Sort.none() lists the newest first.
            List<ModelVersion> versions = registry.modelVersions(name, Sort.none());
            ModelVersion latest = versions.isEmpty() ? null : versions.get(0);
            Map<String, String> aliases = aliases(versions);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model_name", name);
            m.put("versions", versions.size());
            m.put("latest_version", latest == null ? null : latest.version());
            m.put(
                "registered_at", latest == null ? null : JsonViews.instant(latest.registeredAt()));
            m.put("aliases", aliases);
            rows.add(m);
            t.row(
                name,
                versions.size(),
                latest == null ? "" : latest.version(),
                latest == null ? "" : Formats.time(latest.registeredAt()),
                Formats.pairs(aliases));
          }
          if (json.enabled) {
            context.printJson(rows);
          } else if (t.isEmpty()) {
            context
                .out()
                .println(
                    "No registered models in backend '"
                        + backend.name
                        + "'; 'tracelet models register' adds one.");
          } else {
            context.print(t);
          }
          return ExitCodes.OK;
        });
  }

  /** Alias → version over all versions of a model. */
  private static Map<String, String> aliases(List<ModelVersion> versions) {
    Map<String, String> out = new TreeMap<>();
    for (ModelVersion v : versions) {
      v.aliases().forEach(a -> out.put(a, v.version()));
    }
    return out;
  }

  @Command(
      name = "versions",
      description = {
        "List the versions of a model, newest first.",
        "Sort fields: version, registered_at."
      })
  int versions(
      @Parameters(paramLabel = "MODEL") String model,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Sorting sorting,
      @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          List<ModelVersion> versions = store.registry().modelVersions(model, sorting.sort());
          if (json.enabled) {
            context.printJson(versions.stream().map(JsonViews::version).toList());
            return ExitCodes.OK;
          }
          Table t =
              new Table("VERSION", "SOURCE RUN", "REGISTERED", "ALIASES", "TAGS").keepWhole(1);
          for (ModelVersion v : versions) {
            t.row(
                v.version(),
                v.sourceRunId(),
                Formats.time(v.registeredAt()),
                String.join(", ", v.aliases()),
                Formats.pairs(v.tags()));
          }
          context.print(t);
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "tag",
      description = "Add (KEY=VALUE) or remove (--remove KEY) tags of a model version.")
  int tag(
      @Parameters(index = "0", paramLabel = "MODEL") String model,
      @Parameters(
              index = "1",
              paramLabel = "VERSION",
              description = "A version number, 'latest' or an alias.")
          String version,
      @Parameters(index = "2..*", paramLabel = "KEY=VALUE", arity = "0..*")
          @Nullable Map<String, String> tags,
      @Option(names = "--remove", paramLabel = "KEY", split = ",", description = "Tags to remove.")
          @Nullable List<String> remove,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Json json) {
    Map<String, String> add = tags == null ? Map.of() : tags;
    List<String> drop = remove == null ? List.of() : remove;
    if (add.isEmpty() && drop.isEmpty()) {
      throw CliException.usage("Give tags to add as KEY=VALUE, or --remove KEY.");
    }
    return context.withStore(
        backend.name,
        (engine, store) -> {
          ModelRegistry registry = store.registry();
          if (!add.isEmpty()) {
            registry.addModelTags(model, version, add);
          }
          if (!drop.isEmpty()) {
            registry.removeModelTags(model, version, drop);
          }
          Map<String, String> now = new TreeMap<>(registry.modelTags(model, version));
          if (json.enabled) {
            context.printJson(now);
          } else {
            context
                .out()
                .println(
                    "Tags of "
                        + model
                        + " version "
                        + version
                        + ": "
                        + (now.isEmpty() ? "(none)" : Formats.pairs(now)));
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "alias",
      description = {
        "Point an alias (such as 'production') at a model version, or delete it with --delete.",
        "Versions can then be named by the alias wherever a version is asked for."
      })
  int alias(
      @Parameters(index = "0", paramLabel = "MODEL") String model,
      @Parameters(index = "1", paramLabel = "ALIAS") String alias,
      @Parameters(index = "2", paramLabel = "VERSION", arity = "0..1") @Nullable String version,
      @Option(names = "--delete", description = "Delete the alias instead.") boolean delete,
      @Mixin Mixins.Backend backend) {
    if (delete == (version != null)) {
      throw CliException.usage(
          delete
              ? "--delete takes no VERSION."
              : "Give the VERSION the alias should point at, or --delete.");
    }
    return context.withStore(
        backend.name,
        (engine, store) -> {
          if (delete) {
            store.registry().deleteAlias(model, alias);
            context.out().println("Deleted alias '" + alias + "' of " + model + ".");
          } else {
            store.registry().setAlias(model, alias, version);
            context
                .out()
                .println(
                    "Alias '"
                        + alias
                        + "' of "
                        + model
                        + " now points at version "
                        + version
                        + ".");
          }
          return ExitCodes.OK;
        });
  }

  @Command(
      name = "register",
      description = "Register a run's artifact as the next version of a model.")
  int register(
      @Parameters(index = "0", paramLabel = "RUN_ID") String runId,
      @Parameters(
              index = "1",
              paramLabel = "ARTIFACT",
              description = "The artifact's name, as 'tracelet runs show' lists it.")
          String artifact,
      @Parameters(index = "2", paramLabel = "MODEL") String model,
      @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Tags of the new version.")
          @Nullable Map<String, String> tags,
      @Mixin Mixins.Backend backend,
      @Mixin Mixins.Json json) {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          RunsCommand.require(store, runId, backend.name);
          String v =
              store
                  .registry()
                  .registerModel(runId, artifact, model, tags == null ? Map.of() : tags);
          if (json.enabled) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model_name", model);
            m.put("version", v);
            m.put("source_run_id", runId);
            context.printJson(m);
          } else {
            context
                .out()
                .println(
                    "Registered '"
                        + artifact
                        + "' of run "
                        + runId
                        + " as "
                        + model
                        + " version "
                        + v
                        + ".");
          }
          return ExitCodes.OK;
        });
  }
}
