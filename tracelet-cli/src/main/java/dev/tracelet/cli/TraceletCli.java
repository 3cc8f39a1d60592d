package dev.tracelet.cli;

import dev.tracelet.api.TraceletException;
import dev.tracelet.core.settings.SettingsSources;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code tracelet} command line: {@code demo}, {@code experiments}, {@code runs}, {@code
 * models}, {@code gc}, {@code plugins} and {@code doctor}.
 *
 * <p>Exit codes: 0 when all is well, 1 when a problem was found or the thing asked for does not
 * exist, 2 when the command line is wrong. Errors are one line on stderr; {@code --verbose} adds
 * the stack trace. Every listing takes {@code --json} for scripts.
 */
public final class TraceletCli {
  private final CliContext context;

  TraceletCli(CliContext context) {
    this.context = context;
  }

  /** Runs the command line and exits the JVM with its exit code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line over this process's settings and streams; returns the exit code. */
  static int run(String[] args) {
    if (Arrays.asList(args).contains("--verbose")) {
      // Must happen before the first logger exists: slf4j-simple reads its levels once.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    CliContext context =
        new CliContext(
            SettingsSources.system(),
            out,
            err,
            terminalWidth(System.getenv(), System.console() != null));
    return new TraceletCli(context).execute(args);
  }

  /**
   * The width tables fit into: {@code COLUMNS} (the launcher exports it when stdout is a terminal),
   * 80 on a terminal that does not say, and no limit when output goes to a file or pipe.
   */
  static int terminalWidth(Map<String, String> env, boolean interactive) {
    String columns = env.get("COLUMNS");
    if (columns != null) {
      try {
        int n = Integer.parseInt(columns.trim());
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // Not a number: fall through to the defaults.
      }
    }
    return interactive ? 80 : 0;
  }

  int execute(String... args) {
    CommandLine cli = commandLine();
    return cli.execute(args);
  }

  CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RootCommand(context), new Factory(context));
    cli.setOut(context.out());
    cli.setErr(context.err());
    cli.setParameterExceptionHandler(new UsageErrors(context));
    cli.setExecutionExceptionHandler(new Failures(context));
    cli.setExitCodeExceptionMapper(t -> ExitCodes.PROBLEM);
    return cli;
  }

  /** Creates commands with the shared {@link CliContext} when they take one. */
  private static final class Factory implements IFactory {
    private final CliContext context;

    Factory(CliContext context) {
      this.context = context;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      Constructor<K> withContext;
      try {
        withContext = cls.getDeclaredConstructor(CliContext.class);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
      withContext.setAccessible(true);
      return withContext.newInstance(context);
    }
  }

  /** A wrong command line: one line saying what, one saying where help is; exit 2. */
  private static final class UsageErrors implements IParameterExceptionHandler {
    private final CliContext context;

    UsageErrors(CliContext context) {
      this.context = context;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      PrintWriter err = context.err();
      err.println("tracelet: " + Formats.oneLine(ex.getMessage()));
      UnmatchedArgumentException.printSuggestions(ex, err);
      err.println(
          "Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      err.flush();
      return ExitCodes.USAGE;
    }
  }

  /** A command failed: one line on stderr, the stack trace only with {@code --verbose}. */
  private static final class Failures implements IExecutionExceptionHandler {
    private final CliContext context;

    Failures(CliContext context) {
      this.context = context;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parsed) {
      PrintWriter err = context.err();
      boolean verbose = verbose(parsed);
      int code;
      String message;
      boolean expected = true;
      if (ex instanceof CliException c) {
        code = c.exitCode();
        message = c.getMessage();
      } else if (ex instanceof IllegalArgumentException) {
        // Bad input the user gave: an unknown sort field, an invalid name.
        code = ExitCodes.USAGE;
        message = ex.getMessage();
      } else if (ex instanceof UnsupportedOperationException) {
        code = ExitCodes.PROBLEM;
        message = "not supported: " + ex.getMessage();
      } else if (ex instanceof TraceletException) {
        code = ExitCodes.PROBLEM;
        message = ex.getMessage();
      } else {
        code = ExitCodes.PROBLEM;
        message = ex.getClass().getSimpleName() + ": " + ex.getMessage();
        expected = false;
      }
      if (message == null || message.isBlank()) {
        message = ex.getClass().getName();
      }
      String line = "tracelet: " + Formats.oneLine(message);
      if (!expected && !verbose) {
        line += " (--verbose shows the stack trace)";
      }
      err.println(line);
      if (verbose) {
        ex.printStackTrace(err);
      }
      err.flush();
      return code;
    }

    private static boolean verbose(ParseResult parsed) {
      ParseResult p = parsed;
      while (p != null) {
        if (p.hasMatchedOption("--verbose")) {
          return true;
        }
        List<ParseResult> subs = p.subcommands();
        p = subs.isEmpty() ? null : subs.get(0);
      }
      return false;
    }
  }
}
