package dev.tracelet.plugin.wandb;

import dev.tracelet.api.BackendException;

/**
 * W&amp;B answered a request with an error. {@link #permanent()} follows W&amp;B's own clients:
 * 400, 401, 403, 404, 409, 410, 413, 422 and 501 never heal by retrying, nor do GraphQL {@code
 * errors}; anything else may. The message names the operation, the status and the server's words,
 * never a credential.
 */
final class WandbRequestException extends BackendException {
  private static final long serialVersionUID = 1L;

  /** Status of a GraphQL answer that came with HTTP 200 but carried {@code errors}. */
  static final int GRAPHQL_ERRORS = 200;

  private final int status;
  private final boolean permanent;

  WandbRequestException(String message, int status, boolean permanent) {
    super(WandbBackendPlugin.NAME, message);
    this.status = status;
    this.permanent = permanent;
  }

  WandbRequestException(String message, Throwable cause) {
    super(WandbBackendPlugin.NAME, message, cause);
    this.status = 0;
    this.permanent = false;
  }

  /** The HTTP status, or 0 when no answer came. */
  int status() {
    return status;
  }

  boolean permanent() {
    return permanent;
  }

  /** Whether the server refused the content itself (so sending it again cannot succeed). */
  boolean contentRefused() {
    return status == 400 || status == 413 || status == 422;
  }

  /** W&amp;B's list of statuses its clients never retry. */
  static boolean neverRetried(int status) {
    return switch (status) {
      case 400, 401, 403, 404, 409, 410, 413, 422, 501 -> true;
      default -> false;
    };
  }
}
