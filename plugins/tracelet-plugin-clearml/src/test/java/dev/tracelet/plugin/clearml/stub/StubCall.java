package dev.tracelet.plugin.clearml.stub;

import java.util.Objects;

/**
 * One request the stub received and how it answered.
 *
 * @param server {@code api} or {@code files}
 * @param method the HTTP method
 * @param path the request path, with the version prefix
 * @param endpoint {@code service.action} for API calls; {@code upload} or {@code download} for the
 *     file server; the path when it matched nothing
 * @param contentType the request's {@code Content-Type}, verbatim, or {@code ""}
 * @param authScheme {@code Basic}, {@code Bearer} or {@code ""}
 * @param body the request body as text (up to 1 MiB; multipart uploads as a summary of their parts)
 * @param status the HTTP status the stub answered
 * @param subcode the envelope's {@code result_subcode}
 */
public record StubCall(
    String server,
    String method,
    String path,
    String endpoint,
    String contentType,
    String authScheme,
    String body,
    int status,
    int subcode) {
  public StubCall {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(endpoint, "endpoint");
  }

  public boolean ok() {
    return status == 200;
  }
}
