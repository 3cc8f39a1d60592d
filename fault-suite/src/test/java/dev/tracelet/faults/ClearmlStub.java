package dev.tracelet.faults;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.plugin.clearml.stub.ClearmlStubServer;
import dev.tracelet.plugin.clearml.stub.StubTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The ClearML plugin's strict stub: API server and file server. */
final class ClearmlStub implements StubServer {
  private static final Pattern ADD_BATCH =
      Pattern.compile("/(v\\d+\\.?\\d+/)?events\\.add_batch/?");

  private final ClearmlStubServer stub = ClearmlStubServer.start();

  @Override
  public String backend() {
    return "clearml";
  }

  @Override
  public String url() {
    return stub.apiHost();
  }

  @Override
  public boolean isDataPath(String path) {
    return ADD_BATCH.matcher(path).matches();
  }

  @Override
  public Map<String, String> environment(String serverUrl) {
    return Map.of(
        "CLEARML_API_HOST",
        serverUrl,
        // No artifacts here: the file server is not behind the proxy.
        "CLEARML_FILES_HOST",
        stub.filesHost(),
        "CLEARML_API_ACCESS_KEY",
        ClearmlStubServer.ACCESS_KEY,
        "CLEARML_API_SECRET_KEY",
        ClearmlStubServer.SECRET_KEY);
  }

  /** The plugin's first retry waits 1 s (not configurable), so no retries: the runtime retries. */
  @Override
  public Map<String, String> quickRetries() {
    return Map.of("TRACELET_CLEARML_MAX_RETRIES", Integer.toString(quickRetryCount()));
  }

  @Override
  public int quickRetryCount() {
    return 0;
  }

  @Override
  public Map<String, String> requestTimeout(int seconds) {
    return Map.of("TRACELET_CLEARML_READ_TIMEOUT_SECONDS", Integer.toString(seconds));
  }

  /**
   * Read as ClearML stores scalars: one event per task, iteration, title and series (the server
   * derives the event's id from those, so a resent event replaces its copy); title {@code a} and
   * series {@code b} are metric {@code a/b}, title and series {@code x} are metric {@code x}.
   * Parameters from the {@code General} section, tags from {@code properties}.
   */
  @Override
  public RunContents contents(String runId) {
    StubTask task =
        stub.taskOfRun(runId)
            .orElseThrow(() -> new AssertionError("the ClearML stub has no task of run " + runId));
    List<JsonNode> events = stub.events(task.id());
    Map<String, Map<Long, List<Double>>> points = new TreeMap<>();
    for (JsonNode e : events) {
      if (!e.path("type").asText().equals("training_stats_scalar")) {
        continue;
      }
      String title = e.path("metric").asText();
      String series = e.path("variant").asText();
      String name = title.equals(series) ? title : title + "/" + series;
      points
          .computeIfAbsent(name, k -> new TreeMap<>())
          .computeIfAbsent(e.path("iter").asLong(), k -> new ArrayList<>())
          .add(e.path("value").asDouble());
    }
    return new RunContents(
        points,
        task.section("General"),
        task.section("properties"),
        task.status().equals("completed"),
        stub.eventLinesReceived() - events.size());
  }

  @Override
  public void close() {
    stub.close();
  }
}
