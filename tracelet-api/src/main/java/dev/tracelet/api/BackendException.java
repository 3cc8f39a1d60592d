package dev.tracelet.api;

/** A backend failed to do what was asked of it. {@link #backend()} names which one. */
public class BackendException extends TraceletException {
  private static final long serialVersionUID = 1L;

  private final String backend;

  public BackendException(String backend, String message) {
    super(backend + ": " + message);
    this.backend = backend;
  }

  public BackendException(String backend, String message, Throwable cause) {
    super(backend + ": " + message, cause);
    this.backend = backend;
  }

  /** The backend's name, as in the {@code backend} setting ({@code "local"}, {@code "mlflow"}). */
  public String backend() {
    return backend;
  }
}
