package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracelet.api.RunStatus;
import dev.tracelet.api.plugin.ParamEvent;
import dev.tracelet.api.store.MetricPoint;
import dev.tracelet.plugin.wandb.stub.StubArtifact;
import dev.tracelet.plugin.wandb.stub.StubRun;
import dev.tracelet.plugin.wandb.stub.WandbStubServer;
import dev.tracelet.testkit.RunReadback;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link RunReadback} over what {@link WandbStubServer} accepted for one run, read the way
 * W&amp;B's UI reads it: metric points from the history lines ({@code _step}, {@code _timestamp}
 * seconds → epoch ms), parameters from the config (except {@code tags/…} and {@code _…} entries),
 * tags from the config's {@code tags/…} entries, the status from {@code exitcode} (0 finished, 143
 * killed, other failed), artifact files from the newest committed version's uploaded bytes.
 */
final class StubReadback implements RunReadback {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StubRun run;

  /** Reads run {@code runId}; throws if the stub never saw it. */
  StubReadback(WandbStubServer stub, String runId) {
    this.run = StubSupport.run(stub, runId);
  }

  @Override
  public List<MetricPoint> metric(String key) {
    List<MetricPoint> points = new ArrayList<>();
    for (ObjectNode row : run.history()) {
      JsonNode v = row.get(key);
      if (v == null) {
        continue;
      }
      long millis =
          row.get("_timestamp")
              .decimalValue()
              .multiply(BigDecimal.valueOf(1000))
              .setScale(0, RoundingMode.HALF_UP)
              .longValueExact();
      points.add(new MetricPoint(row.get("_step").asLong(), millis, v.doubleValue()));
    }
    return points;
  }

  @Override
  public Map<String, String> params() {
    Map<String, String> out = new LinkedHashMap<>();
    run.config()
        .properties()
        .forEach(
            e -> {
              String k = e.getKey();
              if (!k.startsWith("tags/") && !k.startsWith("_")) {
                out.put(k, render(e.getValue().get("value")));
              }
            });
    return out;
  }

  @Override
  public Map<String, String> tags() {
    Map<String, String> out = new LinkedHashMap<>();
    run.config()
        .properties()
        .forEach(
            e -> {
              if (e.getKey().startsWith("tags/")) {
                out.put(e.getKey().substring(5), e.getValue().get("value").asText());
              }
            });
    return out;
  }

  @Override
  public Optional<RunStatus> status() {
    if (!run.complete()) {
      return Optional.of(RunStatus.RUNNING);
    }
    int code = run.exitCode().orElseThrow();
    return Optional.of(
        code == 0
            ? RunStatus.FINISHED
            : code == WandbSession.EXIT_KILLED ? RunStatus.KILLED : RunStatus.FAILED);
  }

  @Override
  public boolean readsArtifacts() {
    return true;
  }

  @Override
  public Optional<byte[]> artifactBytes(String path) {
    int slash = path.indexOf('/');
    Optional<StubArtifact> artifact =
        run.artifact(WandbNames.artifactName(path.substring(0, slash)));
    return artifact.flatMap(a -> a.file(path.substring(slash + 1)));
  }

  /** A config value as {@link ParamEvent#valueAsString()} renders the value that was logged. */
  private static String render(JsonNode value) {
    Object plain = JSON.convertValue(value, Object.class);
    if (value.isIntegralNumber()) {
      plain = value.asLong();
    }
    return plain == null ? "null" : new ParamEvent("k", plain).valueAsString();
  }
}
