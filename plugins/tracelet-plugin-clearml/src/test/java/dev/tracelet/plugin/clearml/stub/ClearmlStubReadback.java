package dev.tracelet.plugin.clearml.stub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.testkit.RunReadback;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the stub holds for one Tracelet run, in the kit's terms: the task carrying the run id, its
 * scalar events mapped back from title/series to metric names, its {@code General} hyperparameters
 * as parameters, its {@code properties} as tags, its ClearML status, and the bytes the file server
 * stored at each registered artifact's URI.
 */
public final class ClearmlStubReadback implements RunReadback {
  private final ClearmlStubServer stub;
  private final String runId;

  public ClearmlStubReadback(ClearmlStubServer stub, String runId) {
    this.stub = stub;
    this.runId = runId;
  }

  private StubTask task() {
    return stub.taskOfRun(runId)
        .orElseThrow(
            () -> new AssertionError("the ClearML stub has no task for Tracelet run " + runId));
  }

  @Override
  public List<MetricPoint> metric(String key) {
    List<MetricPoint> points = new ArrayList<>();
    for (JsonNode e : stub.events(task().id())) {
      if (!e.path("type").asText().equals("training_stats_scalar")) {
        continue;
      }
      String title = e.path("metric").asText();
      String series = e.path("variant").asText();
      String name = title.equals(series) ? title : title + "/" + series;
      if (name.equals(key)) {
        points.add(
            new MetricPoint(
                e.path("iter").asLong(), e.path("timestamp").asLong(), e.path("value").asDouble()));
      }
    }
    points.sort(Comparator.comparingLong(MetricPoint::step));
    return points;
  }

  @Override
  public Map<String, String> params() {
    return task().section("General");
  }

  @Override
  public Map<String, String> tags() {
    return task().section("properties");
  }

  @Override
  public Optional<RunStatus> status() {
    String status = task().status();
    return Optional.of(
        switch (status) {
          case "completed" -> RunStatus.FINISHED;
          case "failed" -> RunStatus.FAILED;
          case "stopped" -> RunStatus.KILLED;
          case "in_progress", "created" -> RunStatus.RUNNING;
          default -> throw new AssertionError("unexpected task status " + status);
        });
  }

  @Override
  public boolean readsArtifacts() {
    return true;
  }

  @Override
  public Optional<byte[]> artifactBytes(String path) {
    for (JsonNode a : task().artifacts()) {
      String name = null;
      String inArtifact = null;
      for (JsonNode pair : a.path("display_data")) {
        if (pair.path(0).asText().equals("tracelet_artifact")) {
          name = pair.path(1).asText();
        } else if (pair.path(0).asText().equals("artifact_path")) {
          inArtifact = pair.path(1).asText();
        }
      }
      if (path.equals(name + "/" + inArtifact)) {
        String uri = a.path("uri").asText();
        String filesHost = stub.filesHost();
        if (!uri.startsWith(filesHost + "/")) {
          throw new AssertionError("artifact " + path + " points outside the file server: " + uri);
        }
        String stored = URI.create(uri).getPath().substring(1);
        return Optional.ofNullable(stub.files().get(stored));
      }
    }
    return Optional.empty();
  }
}
