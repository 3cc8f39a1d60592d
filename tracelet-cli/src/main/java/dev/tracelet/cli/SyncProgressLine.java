package dev.tracelet.cli;

import dev.tracelet.core.SyncProgress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code tracelet sync}'s progress for one run and backend, on stderr: on a terminal one line
 * redrawn in place ({@code \r}); otherwise (a log file, CI) a plain line now and then, so the log
 * shows the sync moving without a line per update. Updates arrive from the engine's progress
 * thread; {@link #finish()} from the command's.
 */
final class SyncProgressLine implements SyncProgress {
  private static final int BAR = 24;
  private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long PLAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final PrintWriter err;
  private final boolean terminal;
  private final String label;
  private final LongSupplier clock;
  private long delivered;
  private long total;
  private String shown = "";
  private long shownAt;
  private int shownWidth;
  private boolean finished;

  SyncProgressLine(PrintWriter err, boolean terminal, String label) {
    this(err, terminal, label, System::nanoTime);
  }

  SyncProgressLine(PrintWriter err, boolean terminal, String label, LongSupplier clock) {
    this.err = err;
    this.terminal = terminal;
    this.label = label;
    this.clock = clock;
  }

  @Override
  public synchronized void update(long delivered, long total) {
    if (finished) {
      return;
    }
    this.delivered = delivered;
    this.total = total;
    String text = text();
    long now = clock.getAsLong();
    boolean first = shown.isEmpty();
    if (text.equals(shown) || (!first && now - shownAt < (terminal ? REDRAW_NANOS : PLAIN_NANOS))) {
      return;
    }
    show(text, now);
  }

  /** Shows the last figures and ends the line; prints nothing if nothing was sent. */
  synchronized void finish() {
    if (finished) {
      return;
    }
    finished = true;
    if (shown.isEmpty()) {
      return;
    }
    String text = text();
    if (!text.equals(shown)) {
      show(text, clock.getAsLong());
    }
    if (terminal) {
      err.println();
    }
    err.flush();
  }

  private void show(String text, long now) {
    if (terminal) {
      // Blank out what is left of a longer previous line.
      String pad = " ".repeat(Math.max(0, shownWidth - text.length()));
      err.print("\r" + text + pad);
    } else {
      err.println(text);
    }
    err.flush();
    shown = text;
    shownAt = now;
    shownWidth = text.length();
  }

  String text() {
    if (total <= 0) {
      return label + "  starting... " + delivered + " events";
    }
    long done = Math.min(delivered, total);
    int filled = (int) (BAR * done / total);
    return String.format(
        Locale.ROOT,
        "%s  [%s%s] %d/%d events %3d%%",
        label,
        "#".repeat(filled),
        ".".repeat(BAR - filled),
        delivered,
        total,
        100 * done / total);
  }
}
