package dev.tracelet.plugin.wandb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A run as {@code UpsertBucket} returned it.
 *
 * @param storageId the server's id ({@code bucket.id}), sent with later updates
 * @param path where the run lives
 * @param inserted whether this call created the run (false: it existed and is continued)
 * @param historyLineCount history lines the run already has: the first history offset
 * @param eventsLineCount events lines it already has
 * @param logLineCount console lines it already has
 * @param summary the summary it already has, or null
 * @param config the config it already has (W&amp;B's {@code {"key": {"value": …}}} form), or null
 * @param tags the tags it already has
 */
record Bucket(
    String storageId,
    RunPath path,
    boolean inserted,
    long historyLineCount,
    long eventsLineCount,
    long logLineCount,
    @Nullable JsonNode summary,
    @Nullable JsonNode config,
    List<String> tags) {
  Bucket {
    tags = List.copyOf(tags);
  }
}
