package dev.tracelet.api;

/**
 * An operation needed an active experiment and there was none: start one with {@code
 * Tracelet.startLogging}.
 */
public class NoActiveRunException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public NoActiveRunException(String message) {
    super(message);
  }

  public NoActiveRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
