package dev.tracelet.plugin.wandb;

import static dev.tracelet.plugin.wandb.StubSupport.batch;
import static dev.tracelet.plugin.wandb.StubSupport.metric;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.BackendSession;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.plugin.TagEvent;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.plugin.wandb.stub.WandbStubServer.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request of a whole run, compared with {@code golden/whole-run.json}: GraphQL operation
 * names and variables, file-stream paths and bodies. A change to what goes on the wire fails here
 * and must be reviewed; regenerate with {@code -Dwandb.golden.update=true} after checking the diff.
 */
class GoldenRequestsTest {
  private static final String GOLDEN = "golden/whole-run.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @TempDir Path tmp;

  @Test
  void aWholeRunSendsExactlyTheGoldenRequests() throws IOException {
    ArrayNode actual;
    try (WandbStubServer stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 0)) {
      Map<String, String> config = StubSupport.config(stub);
      config.put("group", "golden-group");
      config.put("job_type", "train");
      config.put("notes", "golden notes");
      BackendSession s =
          new WandbBackendPlugin()
              .open(
                  StubSupport.context(tmp, config)
                      .runId("0123456789abcdef0123456789abcdef")
                      .project("golden")
                      .experimentName("golden-run")
                      .tags(List.of("baseline"))
                      .build());
      s.log(
          batch(
              List.of(
                  metric("loss", 0.5, 0),
                  metric("acc", 0.25, 0),
                  metric("system/cpu_percent", 12.5, 0),
                  metric("loss", 0.375, 1)),
              List.of(new ParamEvent("lr", 0.001), new ParamEvent("epochs", 2L)),
              List.of(new TagEvent("stage", "golden"))));
      s.log(
          batch(
              List.of(metric("acc", 0.5, 1), metric("loss", Double.NaN, 2)), List.of(), List.of()));
      s.close(RunStatus.FINISHED);
      assertThat(stub.rejections()).isEmpty();
      actual = describe(stub.requests());
    }

    if (Boolean.getBoolean("wandb.golden.update")) {
      Path file = Path.of("src/test/resources").resolve(GOLDEN);
      Files.createDirectories(file.getParent());
      JSON.writeValue(file.toFile(), actual);
    }
    JsonNode expected;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream(GOLDEN)) {
      assertThat(in).as("resource %s", GOLDEN).isNotNull();
      expected = JSON.readTree(in);
    }
    assertThat(actual)
        .as("requests of a whole run; actual:%n%s", JSON.writeValueAsString(actual))
        .isEqualTo(expected);
  }

  /** Method, path, and the body parsed; GraphQL bodies without their (long) query text. */
  private static ArrayNode describe(List<RecordedRequest> requests) throws IOException {
    ArrayNode out = JSON.createArrayNode();
    for (RecordedRequest r : requests) {
      ObjectNode o = out.addObject();
      o.put("method", r.method());
      o.put("path", r.path());
      JsonNode body = JSON.readTree(r.body());
      if (r.path().equals("/graphql")) {
        o.put("operationName", body.get("operationName").asText());
        o.set("variables", body.get("variables"));
      } else {
        o.set("body", body);
      }
    }
    return out;
  }
}
