package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.http.HttpResponseException;
import dev.tracelet.http.JsonCodec;
import dev.tracelet.http.RetryPolicy;
import dev.tracelet.http.RetryingCaller;
import dev.tracelet.http.SafeUrls;
import dev.tracelet.http.Sleeper;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends GraphQL operations to {@code {base}/graphql}: {@code {"query", "variables",
 * "operationName"}}, retried by {@link RetryingCaller} (429, 5xx, connection errors, with
 * Retry-After). W&amp;B may report errors with HTTP 200, so every answer's {@code errors} is
 * inspected. {@code UpsertBucket} alone also retries 409, as W&amp;B's clients do. Thread-safe.
 */
final class GraphqlClient {
  private final RetryingCaller caller;
  private final HttpUrl endpoint;
  private final RetryPolicy policy;
  private final JsonCodec codec;
  private final Sleeper sleeper;
  private final System.Logger logger;

  GraphqlClient(
      RetryingCaller caller,
      HttpUrl baseUrl,
      JsonCodec codec,
      Sleeper sleeper,
      System.Logger logger) {
    this.caller = caller;
    this.endpoint = baseUrl.newBuilder().addPathSegment("graphql").build();
    this.policy = caller.policy();
    this.codec = codec;
    this.sleeper = sleeper;
    this.logger = logger;
  }

  /**
   * Runs one operation and returns its {@code data}.
   *
   * @throws WandbRequestException when the server answers with an error or GraphQL {@code errors},
   *     or cannot be reached
   */
  ObjectNode execute(String operation, String document, ObjectNode variables) {
    ObjectNode body = codec.newObject();
    body.put("query", document);
    body.set("variables", variables);
    body.put("operationName", operation);
    Request request = new Request.Builder().url(endpoint).post(codec.body(body)).build();
    boolean retryConflict = operation.equals("UpsertBucket");
    for (int conflict = 0; ; conflict++) {
      Response response;
      try {
        response = caller.execute(request);
      } catch (IOException e) {
        if (HttpTransport.interrupted(e)) {
          throw new WandbRequestException(operation + " was interrupted", e);
        }
        throw new WandbRequestException(
            operation + " could not reach " + SafeUrls.redact(endpoint) + ": " + e, e);
      }
      int status = response.code();
      if (status == 409 && retryConflict && conflict < policy.maxRetries()) {
        response.close();
        waitAfterConflict(operation, conflict + 1);
        continue;
      }
      if (!response.isSuccessful()) {
        HttpResponseException e = HttpResponseException.of(response);
        throw new WandbRequestException(
            operation + " failed: " + e.getMessage(),
            status,
            WandbRequestException.neverRetried(status)
                || !RetryingCaller.isRetryableStatus(status));
      }
      ObjectNode answer;
      try {
        answer = codec.readObject(response);
      } catch (IOException e) {
        throw new WandbRequestException(operation + " got an unreadable answer: " + e, e);
      }
      JsonNode errors = answer.path("errors");
      if (errors.isArray() && !errors.isEmpty()) {
        throw new WandbRequestException(
            operation + " was refused: " + messages(errors),
            WandbRequestException.GRAPHQL_ERRORS,
            true);
      }
      JsonNode data = answer.path("data");
      if (!(data instanceof ObjectNode o)) {
        throw new WandbRequestException(
            operation + " answered without data", WandbRequestException.GRAPHQL_ERRORS, true);
      }
      return o;
    }
  }

  private void waitAfterConflict(String operation, int retry) {
    var delay = policy.delay(retry, ThreadLocalRandom.current().nextDouble(), null);
    logger.log(
        Level.INFO, "{0} answered 409; retry {1} in {2} ms", operation, retry, delay.toMillis());
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WandbRequestException(operation + " was interrupted", e);
    }
  }

  /** The errors' messages, joined and bounded, so a long answer cannot flood a log line. */
  private static String messages(JsonNode errors) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : errors) {
      String m = e.path("message").asText("");
      out.add(m.isEmpty() ? e.toString() : m);
    }
    String joined = String.join("; ", out);
    return joined.length() > 1_000 ? joined.substring(0, 1_000) + "…" : joined;
  }
}
