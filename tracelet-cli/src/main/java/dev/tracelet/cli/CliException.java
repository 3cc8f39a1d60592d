package dev.tracelet.cli;

/**
 * A problem the CLI reports as one line on stderr with a chosen exit code: {@link
 * ExitCodes#PROBLEM} for something missing or wrong, {@link ExitCodes#USAGE} for a bad request.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  static CliException notFound(String message) {
    return new CliException(message, ExitCodes.PROBLEM);
  }

  static CliException usage(String message) {
    return new CliException(message, ExitCodes.USAGE);
  }

  int exitCode() {
    return exitCode;
  }
}
