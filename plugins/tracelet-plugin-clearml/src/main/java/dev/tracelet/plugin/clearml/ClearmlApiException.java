package dev.tracelet.plugin.clearml;

import dev.tracelet.api.BackendException;

/**
 * ClearML answered a call with an error envelope. The message names the endpoint, the code and
 * subcode with their ClearML name, the server's own message, and what to do; never a credential.
 */
final class ClearmlApiException extends BackendException {
  private static final long serialVersionUID = 1L;

  private final String endpoint;
  private final int code;
  private final int subcode;

  ClearmlApiException(String endpoint, int code, int subcode, String serverMessage) {
    super(
        ClearmlBackendPlugin.NAME, ClearmlErrors.describe(endpoint, code, subcode, serverMessage));
    this.endpoint = endpoint;
    this.code = code;
    this.subcode = subcode;
  }

  String endpoint() {
    return endpoint;
  }

  /** {@code meta.result_code}, equal to the HTTP status. */
  int code() {
    return code;
  }

  /** {@code meta.result_subcode}; 0 when the server gave none. */
  int subcode() {
    return subcode;
  }

  boolean is(int code, int subcode) {
    return this.code == code && this.subcode == subcode;
  }
}
