package dev.tracelet.plugin.clearml;

import java.util.Map;

/**
 * ClearML's error codes and subcodes ({@code apiserver/apierrors/errors.conf}) turned into names
 * and advice.
 */
final class ClearmlErrors {
  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(key(400, 11), "missing_required_fields"),
          Map.entry(key(400, 12), "validation_error"),
          Map.entry(key(400, 101), "invalid_task_id"),
          Map.entry(key(400, 110), "invalid_task_status"),
          Map.entry(key(400, 130), "task_not_found"),
          Map.entry(key(400, 131), "events_not_added"),
          Map.entry(key(400, 401), "invalid_project_id"),
          Map.entry(key(400, 403), "project_not_found"),
          Map.entry(key(400, 407), "invalid_project_name"),
          Map.entry(key(400, 801), "expected_unique_data"),
          Map.entry(key(401, 10), "bad_auth_type"),
          Map.entry(key(401, 20), "no_credentials"),
          Map.entry(key(401, 21), "bad_credentials"),
          Map.entry(key(401, 22), "invalid_credentials"),
          Map.entry(key(401, 30), "invalid_token"),
          Map.entry(key(401, 31), "blocked_token"),
          Map.entry(key(403, 21), "no_write_permission"),
          Map.entry(key(500, 102), "database_unavailable"));

  private ClearmlErrors() {}

  /** ClearML's name for a code and subcode, or a generic one ({@code server_error}, …). */
  static String name(int code, int subcode) {
    String n = NAMES.get(key(code, subcode));
    if (n != null) {
      return n;
    }
    if (code == 404) {
      return "endpoint_not_found";
    }
    if (code >= 500) {
      return "server_error";
    }
    return code == 401 ? "unauthorized" : code == 403 ? "forbidden" : "bad_request";
  }

  /** One message: endpoint, code/subcode and name, the server's message, and what to do. */
  static String describe(String endpoint, int code, int subcode, String serverMessage) {
    StringBuilder b =
        new StringBuilder(endpoint)
            .append(" failed with ")
            .append(code)
            .append('/')
            .append(subcode)
            .append(' ')
            .append(name(code, subcode));
    if (!serverMessage.isBlank()) {
      b.append(" (").append(serverMessage.strip()).append(')');
    }
    String hint = hint(code, subcode);
    if (!hint.isEmpty()) {
      b.append("; ").append(hint);
    }
    return b.toString();
  }

  static String hint(int code, int subcode) {
    if (code == 401 && subcode >= 10 && subcode < 30) {
      return "check clearml.access_key and clearml.secret_key (CLEARML_API_ACCESS_KEY,"
          + " CLEARML_API_SECRET_KEY); create credentials in the web app under Settings >"
          + " Workspace";
    }
    if (code == 401) {
      return "the token was refused even after logging in again; check that the credentials are"
          + " still valid";
    }
    if (code == 403) {
      return "these credentials may not change this project or task; use a user with write access";
    }
    if (code == 404) {
      return "the server has no such endpoint; is clearml.api_host (CLEARML_API_HOST) the API"
          + " server (port 8008 when self-hosted), not the web app (8080) or the file server"
          + " (8081)?";
    }
    if (code == 413) {
      return "the request is larger than the server accepts; lower clearml.max_request_bytes";
    }
    if (code == 415) {
      return "the server refuses compressed requests; a proxy between Tracelet and ClearML may add"
          + " Content-Encoding";
    }
    if (code == 400 && subcode == 110) {
      return "the task is no longer in a status that allows this; was it stopped, reset or"
          + " completed from the web app?";
    }
    if (code == 400 && (subcode == 101 || subcode == 130)) {
      return "the task does not exist any more; was it deleted from the web app?";
    }
    if (code == 400 && (subcode == 401 || subcode == 403)) {
      return "the project does not exist any more; was it deleted from the web app?";
    }
    if (code == 400 && subcode == 131) {
      return "the server stored none of the events";
    }
    if (code == 500 && subcode == 102) {
      return "the server's database is down; Tracelet retries later";
    }
    if (code >= 500) {
      return "a server-side failure; the ClearML server's log has the details";
    }
    return "";
  }

  private static int key(int code, int subcode) {
    return code * 10_000 + subcode;
  }
}
