package dev.tracelet.plugin.wandb;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Copies what the process writes to {@code System.out} and {@code System.err} into the runs that
 * asked for it, line by line, for W&amp;B's {@code output.log} (what the Python SDK's {@code
 * console="wrap"} does).
 *
 * <p>The first registration replaces both streams with tees that write through to the originals
 * first, then hand each complete line to every registration's bounded queue. The writing thread
 * never blocks on the queue and does no I/O of its own: when a queue is full the line is counted as
 * dropped. The last registration to close puts the original streams back — unless someone replaced
 * them again meanwhile, in which case the tees stay in place, passing bytes through and capturing
 * nothing. One capture serves every session of the plugin.
 */
final class ConsoleCapture {
  /** Longest line kept whole; longer output is cut into lines of this many bytes. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  /** One captured line. */
  record Line(boolean stderr, Instant time, String text) {}

  private static final List<Registration> REGISTRATIONS = new CopyOnWriteArrayList<>();
  private static @Nullable Installed installed;

  private ConsoleCapture() {}

  /** Starts capturing into a new queue of {@code capacity} lines. */
  static synchronized Registration register(int capacity) {
    Registration r = new Registration(capacity);
    REGISTRATIONS.add(r);
    if (installed == null) {
      installed = Installed.install();
    }
    return r;
  }

  private static synchronized boolean unregister(Registration r) {
    if (!REGISTRATIONS.remove(r) || !REGISTRATIONS.isEmpty()) {
      return true;
    }
    Installed i = installed;
    installed = null;
    return i == null || i.uninstall();
  }

  static void dispatch(Line line) {
    for (Registration r : REGISTRATIONS) {
      r.offer(line);
    }
  }

  /** One session's share of the capture. */
  static final class Registration {
    private final ArrayBlockingQueue<Line> queue;
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    private Registration(int capacity) {
      this.queue = new ArrayBlockingQueue<>(capacity);
    }

    private void offer(Line line) {
      if (!queue.offer(line)) {
        dropped.incrementAndGet();
      }
    }

    /** Moves up to {@code max} captured lines into {@code out}; returns how many. */
    int drainTo(List<Line> out, int max) {
      return queue.drainTo(out, max);
    }

    boolean isEmpty() {
      return queue.isEmpty();
    }

    /** Lines lost because the queue was full. */
    long dropped() {
      return dropped.get();
    }

    /**
     * Stops capturing for this session; returns false if the original streams could not be put back
     * because something replaced them after the capture started.
     */
    boolean stop() {
      if (closed) {
        return true;
      }
      closed = true;
      return unregister(this);
    }
  }

  /** The tees in place of {@code System.out} and {@code System.err}. */
  private record Installed(
      PrintStream originalOut,
      PrintStream originalErr,
      PrintStream out,
      PrintStream err,
      Tee outTee,
      Tee errTee) {
    static Installed install() {
      PrintStream originalOut = System.out;
      PrintStream originalErr = System.err;
      Charset outCharset = charset("sun.stdout.encoding");
      Charset errCharset = charset("sun.stderr.encoding");
      Tee outTee = new Tee(originalOut, false, outCharset);
      Tee errTee = new Tee(originalErr, true, errCharset);
      PrintStream out = new PrintStream(outTee, true, outCharset);
      PrintStream err = new PrintStream(errTee, true, errCharset);
      System.setOut(out);
      System.setErr(err);
      return new Installed(originalOut, originalErr, out, err, outTee, errTee);
    }

    boolean uninstall() {
      boolean restored = true;
      out.flush();
      err.flush();
      if (System.out == out) {
        System.setOut(originalOut);
      } else {
        outTee.passThrough = true;
        restored = false;
      }
      if (System.err == err) {
        System.setErr(originalErr);
      } else {
        errTee.passThrough = true;
        restored = false;
      }
      return restored;
    }

    private static Charset charset(String property) {
      String name = System.getProperty(property);
      if (name != null) {
        try {
          return Charset.forName(name);
        } catch (IllegalArgumentException e) {
          // fall through to the default, which is what the stream then uses too
        }
      }
      return Charset.defaultCharset();
    }
  }

  /** Writes through to the original stream, then collects complete lines. */
  static final class Tee extends OutputStream {
    private final PrintStream original;
    private final boolean stderr;
    private final Charset charset;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    volatile boolean passThrough;

    Tee(PrintStream original, boolean stderr, Charset charset) {
      this.original = original;
      this.stderr = stderr;
      this.charset = charset;
    }

    @Override
    public synchronized void write(int b) {
      original.write(b);
      if (!passThrough) {
        collect(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      original.write(b, off, len);
      if (!passThrough) {
        for (int i = off; i < off + len; i++) {
          collect(b[i]);
        }
      }
    }

    @Override
    public void flush() {
      original.flush();
    }

    private void collect(int b) {
      if (b == '\n') {
        emit();
        return;
      }
      line.write(b);
      if (line.size() >= MAX_LINE_BYTES) {
        emit();
      }
    }

    private void emit() {
      byte[] bytes = line.toByteArray();
      line.reset();
      int n = bytes.length;
      if (n > 0 && bytes[n - 1] == '\r') {
        n--;
      }
      dispatch(new Line(stderr, Instant.now(), new String(bytes, 0, n, charset)));
    }
  }
}
