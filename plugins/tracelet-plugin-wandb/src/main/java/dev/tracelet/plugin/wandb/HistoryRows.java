package dev.tracelet.plugin.wandb;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Merges metric points into W&amp;B history rows: one row per step, steps strictly increasing, as
 * the file stream requires (W&amp;B drops a row whose {@code _step} is lower than one it has).
 *
 * <p>The row of the highest step seen so far stays <em>open</em>: points for that step may still
 * arrive in a later batch (the dispatcher cuts batches by size and time, not by step), and they
 * join the same row. A point of a higher step commits the open row; {@link #commitOpen()} commits
 * it at the end of the run. A point of a lower step than the open row, or of a step already
 * committed, cannot be placed without breaking W&amp;B's order; it is counted as late and left out,
 * which is what W&amp;B's own SDK does. Within a row, a later value for the same key replaces the
 * earlier. Not thread-safe.
 */
final class HistoryRows {
  /**
   * A committed row.
   *
   * @param values the metrics, in the order first logged
   * @param timestamp the latest epoch-milliseconds timestamp of the row's points
   */
  record Row(long step, Map<String, Double> values, long timestamp) {}

  private long lastCommittedStep;
  private @Nullable Long openStep;
  private final LinkedHashMap<String, Double> openValues = new LinkedHashMap<>();
  private long openTimestamp;
  private long late;

  /**
   * @param lastCommittedStep the highest step the run already has (when it resumes), or -1
   */
  HistoryRows(long lastCommittedStep) {
    this.lastCommittedStep = lastCommittedStep;
  }

  /**
   * Adds a point. If it starts a higher step, the open row is committed and added to {@code
   * committed}.
   *
   * @return false if the point is late (its step is below the open row's, or already committed)
   */
  boolean add(String key, double value, long step, long timestamp, List<Row> committed) {
    Long open = openStep;
    if (open != null && step == open) {
      openValues.put(key, value);
      openTimestamp = Math.max(openTimestamp, timestamp);
      return true;
    }
    if ((open != null && step < open) || step <= lastCommittedStep) {
      late++;
      return false;
    }
    Row row = commitOpen();
    if (row != null) {
      committed.add(row);
    }
    openStep = step;
    openValues.put(key, value);
    openTimestamp = timestamp;
    return true;
  }

  /** Commits the open row, if any, and returns it. */
  @Nullable Row commitOpen() {
    Long open = openStep;
    if (open == null) {
      return null;
    }
    Row row =
        new Row(open, Collections.unmodifiableMap(new LinkedHashMap<>(openValues)), openTimestamp);
    lastCommittedStep = open;
    openStep = null;
    openValues.clear();
    return row;
  }

  /** The highest step seen (open or committed), or -1. */
  long lastStep() {
    Long open = openStep;
    return open != null ? open : lastCommittedStep;
  }

  boolean hasOpenRow() {
    return openStep != null;
  }

  /** Points left out because they came after a higher step. */
  long latePoints() {
    return late;
  }
}
