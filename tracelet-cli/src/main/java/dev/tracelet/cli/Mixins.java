package dev.tracelet.cli;

import dev.tracelet.api.store.Sort;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Options several commands share. */
final class Mixins {
  private Mixins() {}

  /** {@code --backend}: whose store to read. */
  static final class Backend {
    @Option(
        names = {"-b", "--backend"},
        paramLabel = "NAME",
        defaultValue = "local",
        description = "Backend whose store to use (default: ${DEFAULT-VALUE}).")
    String name = "local";
  }

  /** {@code --json}: machine-readable output. */
  static final class Json {
    @Option(names = "--json", description = "Print JSON for scripts instead of a table.")
    boolean enabled;
  }

  /** {@code --sort FIELD [--desc]}. */
  static final class Sorting {
    @Option(
        names = "--sort",
        paramLabel = "FIELD",
        description = "Field to sort by; an unknown field lists the valid ones.")
    @Nullable String field;

    @Option(names = "--desc", description = "Sort in descending order.")
    boolean descending;

    Sort sort() {
      if (field == null) {
        if (descending) {
          throw CliException.usage("--desc needs --sort FIELD");
        }
        return Sort.none();
      }
      Sort s = Sort.by(field);
      return descending ? s.descending() : s.ascending();
    }
  }
}
