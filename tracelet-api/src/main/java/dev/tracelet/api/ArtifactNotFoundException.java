package dev.tracelet.api;

/** No artifact, or no artifact file, exists at the given name or path. */
public class ArtifactNotFoundException extends TraceletException {
  private static final long serialVersionUID = 1L;

  public ArtifactNotFoundException(String message) {
    super(message);
  }

  public ArtifactNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
