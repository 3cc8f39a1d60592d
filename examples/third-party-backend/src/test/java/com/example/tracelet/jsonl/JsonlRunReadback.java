package com.example.tracelet.jsonl;

import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.testkit.RunReadback;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the {@code jsonl} backend stored for one run, read from its file and artifact folder as
 * any consumer of the files would: the compatibility kit checks this view.
 */
final class JsonlRunReadback implements RunReadback {
  private final List<Map<String, Object>> lines = new ArrayList<>();
  private final Path artifacts;

  JsonlRunReadback(Path dir, String runId) {
    Path file = dir.resolve(runId + ".jsonl");
    this.artifacts = dir.resolve(runId).resolve("artifacts");
    List<String> text;
    try {
      // A missing file throws: a run the backend does not know must not look empty.
      text = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String line : text) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = (Map<String, Object>) Json.parse(line);
      lines.add(m);
    }
  }

  @Override
  public List<MetricPoint> metric(String key) {
    List<MetricPoint> points = new ArrayList<>();
    for (Map<String, Object> m : of("metric")) {
      if (key.equals(m.get("key"))) {
        points.add(
            new MetricPoint(
                ((Number) m.get("step")).longValue(),
                ((Number) m.get("timestamp")).longValue(),
                value(m.get("value"))));
      }
    }
    // Stable: points of one step keep the order they were logged in.
    points.sort(Comparator.comparingLong(MetricPoint::step));
    return points;
  }

  @Override
  public Map<String, String> params() {
    Map<String, String> params = new LinkedHashMap<>();
    for (Map<String, Object> m : of("param")) {
      // Rendered as the kit expects: the value as a string, the way the SPI renders it.
      params.put((String) m.get("key"), new ParamEvent("k", m.get("value")).valueAsString());
    }
    return params;
  }

  @Override
  public Map<String, String> tags() {
    Map<String, String> tags = new LinkedHashMap<>();
    for (Map<String, Object> m : of("tag")) {
      tags.put((String) m.get("key"), (String) m.get("value"));
    }
    return tags;
  }

  @Override
  public Optional<RunStatus> status() {
    RunStatus status = null;
    for (Map<String, Object> m : lines) {
      if ("run".equals(m.get("type"))) {
        status = RunStatus.RUNNING;
      } else if ("end".equals(m.get("type"))) {
        status = RunStatus.valueOf((String) m.get("status"));
      }
    }
    return Optional.ofNullable(status);
  }

  @Override
  public boolean readsArtifacts() {
    return true;
  }

  @Override
  public Optional<byte[]> artifactBytes(String path) {
    int slash = path.indexOf('/');
    String name = path.substring(0, slash);
    String version = null;
    for (Map<String, Object> m : of("artifact")) {
      if (name.equals(m.get("name"))) {
        version = (String) m.get("version");
      }
    }
    if (version == null) {
      return Optional.empty();
    }
    Path file = artifacts.resolve(name).resolve(version).resolve(path.substring(slash + 1));
    try {
      return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<Map<String, Object>> of(String type) {
    return lines.stream().filter(m -> type.equals(m.get("type"))).toList();
  }

  private static double value(Object v) {
    return v instanceof Number n ? n.doubleValue() : Double.parseDouble((String) v);
  }
}
