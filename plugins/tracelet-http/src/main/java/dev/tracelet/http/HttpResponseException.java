package dev.tracelet.http;

import java.io.IOException;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * A server answered with an error status. The message names the method, the redacted URL, the
 * status and the start of the body, and never a request header, so it is safe to log.
 */
public final class HttpResponseException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_BODY_CHARS = 1_000;

  private final int status;
  private final String body;

  public HttpResponseException(String message, int status, String body) {
    super(message);
    this.status = status;
    this.body = body;
  }

  /** Reads at most the first kilobytes of the body of {@code response} and closes it. */
  public static HttpResponseException of(Response response) {
    String body = bodyExcerpt(response);
    String url = SafeUrls.redact(response.request().url());
    return new HttpResponseException(
        response.request().method()
            + " "
            + url
            + " answered "
            + response.code()
            + (body.isEmpty() ? "" : ": " + body),
        response.code(),
        body);
  }

  /** The start of the body of {@code response} (closing it), trimmed; empty if unreadable. */
  public static String bodyExcerpt(Response response) {
    try (response) {
      ResponseBody b = response.body();
      if (b == null) {
        return "";
      }
      // Reads what is there up to 4 KiB: a huge HTML error page must not fill memory or logs.
      b.source().request(4096);
      String text = b.source().readUtf8(Math.min(b.source().getBuffer().size(), 4096)).strip();
      return text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) + "…" : text;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  public int status() {
    return status;
  }

  /** The start of the response body, as read. */
  public String body() {
    return body;
  }
}
