package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.artifact.ArtifactType;
import dev.tracelet.api.artifact.TraceletArtifact;
import dev.tracelet.api.plugin.EventBatch;
import dev.tracelet.api.plugin.MetricEvent;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.plugin.clearml.stub.StubCall;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request of one whole run, compared with {@code golden/whole-run.json}: endpoint, path,
 * content type, authentication scheme and body (JSON compared as JSON, json-lines line by line).
 * Hosts become {@code {api}} and {@code {files}}, multipart boundaries {@code {boundary}};
 * everything else is fixed by the inputs (the stub numbers its ids). After an intended change of
 * the wire format, regenerate the file with {@code -Dclearml.golden.update=true} and review the
 * diff.
 */
class ClearmlGoldenRequestsTest {
  private static final String GOLDEN = "golden/whole-run.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @TempDir Path dir;

  @Test
  void aWholeRunSendsExactlyTheGoldenRequests() throws IOException {
    JsonNode actual;
    try (StubFixture f = new StubFixture(dir)) {
      ClearmlSession s =
          f.open(
              f.context(Map.of("max_request_bytes", "4096"))
                  .runId("0123456789abcdef0123456789abcdef")
                  .project("golden")
                  .experimentName("golden-run")
                  .build());
      List<MetricEvent> metrics = new ArrayList<>();
      for (int step = 0; step < 20; step++) {
        long t = 1_700_000_000_000L + step * 1_000L;
        metrics.add(new MetricEvent("train/loss", 1.0 / (step + 1), step, t));
        metrics.add(new MetricEvent("accuracy", step / 20.0, step, t));
      }
      s.log(
          new EventBatch(
              metrics,
              List.of(
                  new ParamEvent("lr", 0.001),
                  new ParamEvent("batch_size", 64L),
                  new ParamEvent("augment", true)),
              List.of(new TagEvent("dataset", "cifar10"))));
      Path model =
          Files.write(dir.resolve("model.bin"), "weights-v1".getBytes(StandardCharsets.UTF_8));
      s.logArtifact(
          new TraceletArtifact(
                  "model",
                  ArtifactType.MODEL,
                  "final weights",
                  Instant.parse("2025-03-01T12:00:00Z"))
              .addFile(model, "model.bin", null));
      s.close(RunStatus.FINISHED);
      actual = normalize(f.stub.calls(), f.stub.apiHost(), f.stub.filesHost());
    }

    if (Boolean.getBoolean("clearml.golden.update")) {
      Path file = Path.of("src/test/resources", GOLDEN);
      Files.createDirectories(file.getParent());
      Files.writeString(file, JSON.writeValueAsString(actual) + "\n");
    }
    JsonNode expected;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(GOLDEN)) {
      assertThat(in).as("resource " + GOLDEN).isNotNull();
      expected = JSON.readTree(in);
    }
    assertThat(actual.size()).as("number of requests").isEqualTo(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(JSON.writeValueAsString(actual.get(i)))
          .as("request %d (%s)", i, expected.get(i).path("endpoint").asText())
          .isEqualTo(JSON.writeValueAsString(expected.get(i)));
    }
  }

  private static JsonNode normalize(List<StubCall> calls, String api, String files)
      throws IOException {
    ArrayNode out = JSON.createArrayNode();
    for (StubCall c : calls) {
      ObjectNode o = out.addObject();
      o.put("server", c.server());
      o.put("method", c.method());
      o.put("path", c.path());
      o.put("endpoint", c.endpoint());
      // Multipart boundaries are random per request.
      o.put("content_type", c.contentType().replaceAll("boundary=.*", "boundary={boundary}"));
      o.put("auth", c.authScheme());
      o.put("status", c.status());
      String body = c.body().replace(api, "{api}").replace(files, "{files}");
      if (c.contentType().equals("application/json-lines")) {
        ArrayNode lines = o.putArray("body");
        for (String line : body.split("\n")) {
          lines.add(JSON.readTree(line));
        }
      } else if (c.contentType().startsWith("application/json") && !body.isEmpty()) {
        o.set("body", JSON.readTree(body));
      } else {
        o.put("body", body);
      }
    }
    return out;
  }
}
