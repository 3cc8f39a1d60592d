package dev.tracelet.api;

/**
 * The base of every exception Tracelet throws. Unchecked: tracking must never force a training loop
 * to catch. Every message says what was wrong and what to do about it.
 */
public class TraceletException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TraceletException(String message) {
    super(message);
  }

  public TraceletException(String message, Throwable cause) {
    super(message, cause);
  }
}
