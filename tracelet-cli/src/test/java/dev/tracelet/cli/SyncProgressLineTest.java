package dev.tracelet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SyncProgressLineTest {
  private final StringWriter out = new StringWriter();
  private final AtomicLong now = new AtomicLong();

  private SyncProgressLine line(boolean terminal) {
    return new SyncProgressLine(
        new PrintWriter(out, true), terminal, "[1/2] abc -> wandb", now::get);
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void onATerminalOneLineIsRedrawnInPlace() {
    SyncProgressLine p = line(true);
    p.update(0, 0);
    advance(150);
    p.update(50, 200);
    advance(10);
    p.update(60, 200); // too soon to redraw
    advance(150);
    p.update(200, 200);
    p.finish();

    String s = out.toString();
    assertThat(s).startsWith("\r[1/2] abc -> wandb  starting... 0 events");
    assertThat(s.split("\r", -1)).hasSize(4);
    assertThat(s).contains("\r[1/2] abc -> wandb  [######..................] 50/200 events  25%");
    assertThat(s).doesNotContain("60/200");
    assertThat(s)
        .endsWith("[########################] 200/200 events 100%" + System.lineSeparator());
    assertThat(s.chars().filter(c -> c == '\n')).hasSize(1);
  }

  @Test
  void aShorterLineBlanksOutTheRestOfTheLongerOne() {
    SyncProgressLine p = line(true);
    p.update(1_000_000, 2_000_000);
    advance(150);
    p.update(5, 0);
    String s = out.toString();
    String last = s.substring(s.lastIndexOf('\r') + 1);
    assertThat(last).startsWith("[1/2] abc -> wandb  starting... 5 events");
    assertThat(last.length()).isEqualTo(s.substring(1, s.lastIndexOf('\r')).length());
  }

  @Test
  void elsewherePlainLinesAtMostEveryFewSecondsAndTheLastFigures() {
    SyncProgressLine p = line(false);
    p.update(0, 100);
    advance(1_000);
    p.update(40, 100);
    advance(5_000);
    p.update(70, 100);
    advance(100);
    p.update(100, 100);
    p.finish();

    assertThat(out.toString()).doesNotContain("\r");
    assertThat(out.toString().lines())
        .containsExactly(
            "[1/2] abc -> wandb  [........................] 0/100 events   0%",
            "[1/2] abc -> wandb  [################........] 70/100 events  70%",
            "[1/2] abc -> wandb  [########################] 100/100 events 100%");
  }

  @Test
  void nothingSentPrintsNothing() {
    SyncProgressLine p = line(false);
    p.finish();
    SyncProgressLine t = line(true);
    t.finish();
    assertThat(out.toString()).isEmpty();
  }
}
