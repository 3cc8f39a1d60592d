package dev.tracelet.api;

/** No registered model has the given name. */
public class ModelNotFoundException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public ModelNotFoundException(String message) {
    super(message);
  }

  public ModelNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
