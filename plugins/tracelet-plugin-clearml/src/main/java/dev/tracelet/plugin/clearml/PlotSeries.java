package dev.tracelet.plugin.clearml;

import java.util.Objects;

/**
 * Where a Tracelet metric lands in ClearML: the plot's title ({@code metric} on the wire) and the
 * series in it ({@code variant}).
 *
 * <p>The rule: a name is split at its <em>first</em> {@code /}: {@code train/loss} becomes title
 * {@code train}, series {@code loss}, and {@code val/top/1} becomes title {@code val}, series
 * {@code top/1}, so all {@code train/*} metrics share one plot. A name without {@code /} (or with
 * an empty side, which Tracelet's naming rule never produces) is both title and series: {@code
 * loss} becomes {@code loss}/{@code loss}, which is how ClearML's own TensorBoard binding shows
 * single scalars and keeps the series non-empty (the server tracks last values only for non-empty
 * ones). {@link #metricName()} inverts the rule; the one collision is {@code x/x}, which shares the
 * plot and series of the bare name {@code x}.
 */
record PlotSeries(String title, String series) {
  PlotSeries {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(series, "series");
  }

  static PlotSeries of(String metricName) {
    int slash = metricName.indexOf('/');
    if (slash <= 0 || slash == metricName.length() - 1) {
      return new PlotSeries(metricName, metricName);
    }
    return new PlotSeries(metricName.substring(0, slash), metricName.substring(slash + 1));
  }

  /** The Tracelet metric name this title and series came from. */
  String metricName() {
    return title.equals(series) ? title : title + "/" + series;
  }
}
