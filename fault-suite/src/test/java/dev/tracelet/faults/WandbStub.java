package dev.tracelet.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The W&amp;B plugin's strict stub, with W&amp;B's rate limit of 2 file-stream requests/s. */
final class WandbStub implements StubServer {
  /** History lines are W&amp;B's extended JSON: bare NaN and infinities are allowed. */
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final WandbStubServer stub = WandbStubServer.start(0, WandbStubServer.DEFAULT_API_KEY, 2);

  @Override
  public String backend() {
    return "wandb";
  }

  @Override
  public String url() {
    return stub.baseUrl();
  }

  @Override
  public boolean isDataPath(String path) {
    return path.startsWith("/files/") && path.endsWith("/file_stream");
  }

  @Override
  public Map<String, String> environment(String serverUrl) {
    return Map.of(
        "WANDB_BASE_URL",
        serverUrl,
        "WANDB_API_KEY",
        stub.apiKey(),
        // Console capture would wrap the test JVM's System.out; it is not what is tested here.
        "WANDB_CONSOLE",
        "off");
  }

  @Override
  public Map<String, String> quickRetries() {
    return Map.of(
        "TRACELET_WANDB_MAX_RETRIES",
        Integer.toString(quickRetryCount()),
        "TRACELET_WANDB_RETRY_BACKOFF",
        "0.05");
  }

  @Override
  public int quickRetryCount() {
    return 2;
  }

  @Override
  public Map<String, String> requestTimeout(int seconds) {
    return Map.of("TRACELET_WANDB_FILESTREAM_TIMEOUT", Integer.toString(seconds));
  }

  /**
   * Read as W&amp;B's UI reads a run: the accepted history lines (one per step, each step once by
   * the stub's rules), the config's entries as parameters and its {@code tags/…} entries as tags.
   */
  @Override
  public RunContents contents(String runId) {
    StubRun run =
        stub.run(runId).orElseThrow(() -> new AssertionError("the W&B stub has no run " + runId));
    Map<String, Map<Long, List<Double>>> points = new TreeMap<>();
    for (ObjectNode row : run.history()) {
      long step = row.get("_step").asLong();
      row.properties()
          .forEach(
              e -> {
                if (!e.getKey().startsWith("_")) {
                  points
                      .computeIfAbsent(e.getKey(), k -> new TreeMap<>())
                      .computeIfAbsent(step, k -> new ArrayList<>())
                      .add(e.getValue().doubleValue());
                }
              });
    }
    Map<String, String> params = new LinkedHashMap<>();
    Map<String, String> tags = new LinkedHashMap<>();
    run.config()
        .properties()
        .forEach(
            e -> {
              JsonNode value = e.getValue().path("value");
              if (e.getKey().startsWith("tags/")) {
                tags.put(e.getKey().substring("tags/".length()), value.asText());
              } else if (!e.getKey().startsWith("_")) {
                params.put(e.getKey(), value.asText());
              }
            });
    boolean finished = run.complete() && run.exitCode().orElse(-1) == 0;
    int stored = points.values().stream().mapToInt(Map::size).sum();
    return new RunContents(points, params, tags, finished, pointsReceived(run) - stored);
  }

  /** Points in the history lines of every file-stream request the stub took, resends included. */
  private int pointsReceived(StubRun run) {
    String path =
        "/files/" + run.entity() + "/" + run.project() + "/" + run.runId() + "/file_stream";
    int points = 0;
    for (WandbStubServer.RecordedRequest r : stub.requests()) {
      if (r.status() != 200 || !r.path().equals(path)) {
        continue;
      }
      try {
        JsonNode lines = JSON.readTree(r.body()).path("files").path("wandb-history.jsonl");
        for (JsonNode line : lines.path("content")) {
          var fields = JSON.readTree(line.asText()).fieldNames();
          while (fields.hasNext()) {
            points += fields.next().startsWith("_") ? 0 : 1;
          }
        }
      } catch (JsonProcessingException e) {
        throw new AssertionError("the W&B stub took a request that is not JSON: " + r, e);
      }
    }
    return points;
  }

  @Override
  public void close() {
    stub.close();
  }
}
