package dev.tracelet.faults;

import com.fasterxml.jackson.databind.JsonNode;
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
    return new RunContents(points, params, tags, finished, 0);
  }

  @Override
  public void close() {
    stub.close();
  }
}
