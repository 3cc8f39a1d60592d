package ${package};

import dev.tracelet.api.RunStatus;
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
 * What the backend stored for one run, read from where it stored it. When the backend talks to a
 * service, ask the service (or the mock server standing in for it) instead: the kit's checks are
 * only as strict as this view.
 */
final class ${classPrefix}RunReadback implements RunReadback {
  private final List<List<String>> lines = new ArrayList<>();

  ${classPrefix}RunReadback(Path dir, String runId) {
    try {
      // A missing file throws: a run the backend does not know must not look empty.
      for (String line : Files.readAllLines(dir.resolve(runId + ".tsv"), StandardCharsets.UTF_8)) {
        lines.add(${classPrefix}Session.fields(line));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public List<MetricPoint> metric(String key) {
    List<MetricPoint> points = new ArrayList<>();
    for (List<String> f : of("metric")) {
      if (f.get(1).equals(key)) {
        points.add(
            new MetricPoint(
                Long.parseLong(f.get(2)), Long.parseLong(f.get(3)), Double.parseDouble(f.get(4))));
      }
    }
    points.sort(Comparator.comparingLong(MetricPoint::step));
    return points;
  }

  @Override
  public Map<String, String> params() {
    Map<String, String> params = new LinkedHashMap<>();
    of("param").forEach(f -> params.put(f.get(1), f.get(2)));
    return params;
  }

  @Override
  public Map<String, String> tags() {
    Map<String, String> tags = new LinkedHashMap<>();
    of("tag").forEach(f -> tags.put(f.get(1), f.get(2)));
    return tags;
  }

  @Override
  public Optional<RunStatus> status() {
    RunStatus status = null;
    for (List<String> f : lines) {
      if (f.get(0).equals("run")) {
        status = RunStatus.RUNNING;
      } else if (f.get(0).equals("end")) {
        status = RunStatus.valueOf(f.get(1));
      }
    }
    return Optional.ofNullable(status);
  }

  private List<List<String>> of(String kind) {
    return lines.stream().filter(f -> f.get(0).equals(kind)).toList();
  }
}
