package dev.tracelet.cli;

/** The exit codes every command keeps to, so scripts can rely on them. */
final class ExitCodes {
  /** Done, nothing wrong found. */
  static final int OK = 0;

  /** A problem was found, or the thing asked for does not exist. */
  static final int PROBLEM = 1;

  /** The command line itself was wrong: unknown option, missing argument, bad value. */
  static final int USAGE = 2;

  private ExitCodes() {}
}
