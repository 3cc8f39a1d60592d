package dev.tracelet.api;

/** A registered model exists but has no versions, so {@code "latest"} names nothing. */
public class NoVersionsFoundException extends ModelNotFoundException {
  private static final long serialVersionUID = 1L;

  public NoVersionsFoundException(String message) {
    super(message);
  }
}
