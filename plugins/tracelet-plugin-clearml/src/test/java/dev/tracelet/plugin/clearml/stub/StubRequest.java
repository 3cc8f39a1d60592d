package dev.tracelet.plugin.clearml.stub;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request as the stub's logic sees it, independent of WireMock.
 *
 * @param url the raw path and query
 * @param headers header names in lower case
 */
record StubRequest(
    String method, String url, Map<String, String> headers, byte[] body, List<Part> parts) {
  /** One part of a multipart body: its form field name, file name and bytes. */
  record Part(String name, @Nullable String fileName, byte[] body) {}

  @Nullable String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  String path() {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  String query() {
    int q = url.indexOf('?');
    return q < 0 ? "" : url.substring(q + 1);
  }
}
