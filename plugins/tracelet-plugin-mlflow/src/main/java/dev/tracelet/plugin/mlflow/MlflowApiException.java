package dev.tracelet.plugin.mlflow;

import dev.tracelet.api.BackendException;

/**
 * MLflow refused a request or could not be reached. {@link #errorCode()} is MLflow's {@code
 * error_code} ({@code RESOURCE_ALREADY_EXISTS}, …), or {@code HTTP_<status>} when the body was not
 * MLflow's JSON, or {@code IO_ERROR} when no answer came.
 */
final class MlflowApiException extends BackendException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String errorCode;

  MlflowApiException(int status, String errorCode, String message) {
    super(MlflowBackendPlugin.NAME, message);
    this.status = status;
    this.errorCode = errorCode;
  }

  MlflowApiException(String message, Throwable cause) {
    super(MlflowBackendPlugin.NAME, message, cause);
    this.status = 0;
    this.errorCode = "IO_ERROR";
  }

  /** The HTTP status, or 0 when no answer came. */
  int status() {
    return status;
  }

  String errorCode() {
    return errorCode;
  }

  boolean is(String code) {
    return errorCode.equals(code);
  }

  /** The request itself was wrong and sending it again would fail again. */
  boolean isPermanent() {
    return status >= 400 && status < 500 && status != 408 && status != 429;
  }
}
