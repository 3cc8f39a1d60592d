package dev.tracelet.plugin.clearml;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlotSeriesTest {
  @ParameterizedTest
  @CsvSource({
    "train/loss, train, loss",
    "val/top/1, val, top/1",
    "loss, loss, loss",
    "learning rate, learning rate, learning rate",
    "train.loss, train.loss, train.loss",
    "/x, /x, /x",
    "x/, x/, x/",
  })
  void splitsAtTheFirstSlash(String name, String title, String series) {
    PlotSeries plot = PlotSeries.of(name);
    assertThat(plot).isEqualTo(new PlotSeries(title, series));
    assertThat(plot.metricName()).as("inverse of %s", name).isEqualTo(name);
  }

  @Test
  void aRepeatedHalfSharesThePlotOfTheBareName() {
    // The documented collision: x/x and x land in the same title and series.
    assertThat(PlotSeries.of("loss/loss")).isEqualTo(PlotSeries.of("loss"));
  }
}
