package dev.tracelet.api;

/** No experiment (a store's group of runs) has the given id or name. */
public class ExperimentNotFoundException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public ExperimentNotFoundException(String message) {
    super(message);
  }

  public ExperimentNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
