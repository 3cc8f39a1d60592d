package dev.tracelet.plugin.clearml.stub;

import java.util.Map;

/** What the stub sends back: status, headers and body. */
record StubResponse(int status, int subcode, Map<String, String> headers, byte[] body) {
  static StubResponse of(int status, int subcode, String contentType, byte[] body) {
    return new StubResponse(status, subcode, Map.of("Content-Type", contentType), body);
  }
}
