package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The run summary: the latest value of every history key, plus {@code _step}, {@code _runtime},
 * {@code _timestamp} and {@code _wandb.runtime}, written as the one line of {@code
 * wandb-summary.json}. A resumed run starts from the summary the server already has, so keys this
 * session never logs are kept. Not thread-safe.
 */
final class RunSummary {
  private final ObjectNode base;
  private final long startMillis;
  private final LinkedHashMap<String, Double> latest = new LinkedHashMap<>();
  private long step = -1;
  private long timestamp;

  /**
   * @param base the server's summary when resuming, or null
   * @param startMillis when the run started, for {@code _runtime}
   */
  RunSummary(@Nullable JsonNode base, long startMillis) {
    this.base = base instanceof ObjectNode o ? o.deepCopy() : ExtendedJson.object();
    this.startMillis = startMillis;
  }

  void put(String key, double value, long step, long timestamp) {
    latest.put(key, value);
    this.step = Math.max(this.step, step);
    this.timestamp = Math.max(this.timestamp, timestamp);
  }

  String line() {
    ObjectNode o = base.deepCopy();
    for (Map.Entry<String, Double> e : latest.entrySet()) {
      o.put(e.getKey(), e.getValue());
    }
    long runtimeMillis = Math.max(0, timestamp - startMillis);
    o.put("_step", step);
    o.put("_runtime", ExtendedJson.seconds(runtimeMillis));
    o.put("_timestamp", ExtendedJson.seconds(timestamp));
    ObjectNode wandb = o.putObject("_wandb");
    wandb.put("runtime", runtimeMillis / 1000);
    return ExtendedJson.line(o);
  }
}
