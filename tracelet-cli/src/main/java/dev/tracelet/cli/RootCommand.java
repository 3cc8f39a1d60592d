package dev.tracelet.cli;

import dev.tracelet.core.TraceletEngine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code tracelet}: without a subcommand it prints the usage and exits 2. */
@Command(
    name = "tracelet",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    versionProvider = RootCommand.Version.class,
    usageHelpAutoWidth = true,
    description =
        "Experiment tracking for the JVM: run a demo, look at runs and models, check setup.",
    footer = {
      "",
      "Exit codes: 0 ok, 1 a problem found or not found, 2 a wrong command line.",
      "Settings come from tracelet.yaml (in the working directory, else the distribution's"
          + " conf/), TRACELET_* environment variables and -Dtracelet.* system properties (in"
          + " JAVA_OPTS or TRACELET_OPTS); 'tracelet doctor' shows the result."
    },
    subcommands = {
      DemoCommand.class,
      ExperimentsCommand.class,
      RunsCommand.class,
      ModelsCommand.class,
      GcCommand.class,
      SyncCommand.class,
      PluginsCommand.class,
      DoctorCommand.class
    })
final class RootCommand implements Callable<Integer> {
  private final CliContext context;

  @Spec CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Show stack traces and informational log messages.")
  boolean verbose;

  RootCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(context.err());
    return ExitCodes.USAGE;
  }

  /** The version from the build, never written by hand. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "tracelet " + TraceletEngine.version(),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + "), "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
      };
    }
  }
}
