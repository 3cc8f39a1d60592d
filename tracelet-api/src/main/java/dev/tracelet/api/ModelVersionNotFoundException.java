package dev.tracelet.api;

/** A registered model exists, but not at the given version or alias. */
public class ModelVersionNotFoundException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public ModelVersionNotFoundException(String message) {
    super(message);
  }

  public ModelVersionNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
