package dev.tracelet.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tracelet gc}: removes soft-deleted runs and experiments for good. */
@Command(
    name = "gc",
    description = "Remove deleted runs and experiments for good (they cannot be restored after).")
final class GcCommand implements Callable<Integer> {
  private final CliContext context;

  @Mixin Mixins.Backend backend = new Mixins.Backend();
  @Mixin Mixins.Json json = new Mixins.Json();

  GcCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    return context.withStore(
        backend.name,
        (engine, store) -> {
          int purged = store.purgeDeleted();
          if (json.enabled) {
            context.printJson(Map.of("purged_runs", purged));
          } else {
            context
                .out()
                .println(
                    "Removed "
                        + purged
                        + (purged == 1 ? " deleted run" : " deleted runs")
                        + " for good from backend '"
                        + backend.name
                        + "'.");
          }
          return ExitCodes.OK;
        });
  }
}
