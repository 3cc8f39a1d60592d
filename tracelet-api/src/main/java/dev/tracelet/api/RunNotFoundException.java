package dev.tracelet.api;

/** No run has the given id. */
public class RunNotFoundException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public RunNotFoundException(String message) {
    super(message);
  }

  public RunNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
